// Package matfile reads and writes MATLAB level 5 MAT-files (the format of
// MATLAB's save -v6 and -v7 and of scipy.io.savemat).
package matfile
