//go:build !noasm && !purego

#include "textflag.h"

// func csrMulVecSSE2(y, x []float64, ptr, col []int32, val []float64)
//
// For each row i: y[i] = (s0+s1) + (s2+s3), where, over the row's entries
// k = ptr[i] … ptr[i+1]-1 in blocks of four, s0 … s3 accumulate
// val[k]·x[col[k]] of the block's first … fourth entry, and the entries
// after the last block go to s0: the order of csrMulVecGo. X0 holds
// (s0, s1) and X1 (s2, s3); every product and sum is rounded as in Go.
//
// Registers: DI y, CX len(y), SI x, R8 ptr, R9 col, R10 val, R11 i,
// AX k, BX the end of row i.
TEXT ·csrMulVecSSE2(SB), NOSPLIT, $0-120
	MOVQ y_base+0(FP), DI
	MOVQ y_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	MOVQ ptr_base+48(FP), R8
	MOVQ col_base+72(FP), R9
	MOVQ val_base+96(FP), R10
	TESTQ CX, CX
	JE done
	MOVLQSX (R8), AX
	XORQ R11, R11

row:
	MOVLQSX 4(R8)(R11*4), BX
	XORPS X0, X0
	XORPS X1, X1
	LEAQ 4(AX), DX
	CMPQ DX, BX
	JG tail

block:
	MOVLQSX (R9)(AX*4), R12
	MOVLQSX 4(R9)(AX*4), R13
	MOVLQSX 8(R9)(AX*4), R14
	MOVLQSX 12(R9)(AX*4), R15
	MOVSD (SI)(R12*8), X6
	MOVHPD (SI)(R13*8), X6
	MOVSD (SI)(R14*8), X7
	MOVHPD (SI)(R15*8), X7
	MOVUPD (R10)(AX*8), X4
	MOVUPD 16(R10)(AX*8), X5
	MULPD X6, X4
	MULPD X7, X5
	ADDPD X4, X0
	ADDPD X5, X1
	ADDQ $4, AX
	LEAQ 4(AX), DX
	CMPQ DX, BX
	JLE block

tail:
	CMPQ AX, BX
	JGE sum

tailloop:
	MOVLQSX (R9)(AX*4), R12
	MOVSD (R10)(AX*8), X4
	MULSD (SI)(R12*8), X4
	ADDSD X4, X0
	INCQ AX
	CMPQ AX, BX
	JL tailloop

sum:
	MOVAPD X0, X4
	UNPCKHPD X4, X4
	ADDSD X4, X0
	MOVAPD X1, X5
	UNPCKHPD X5, X5
	ADDSD X5, X1
	ADDSD X1, X0
	MOVSD X0, (DI)(R11*8)
	INCQ R11
	CMPQ R11, CX
	JL row

done:
	RET

// GATHER4 loads x[col[k+o]] … x[col[k+o+3]] into Y, with k = AX and o =
// OFF/4, using R12, R13 and X6.
#define GATHER4(OFF, X, Y) \
	MOVLQSX OFF(R9)(AX*4), R12; \
	MOVLQSX OFF+4(R9)(AX*4), R13; \
	VMOVSD (SI)(R12*8), X; \
	VMOVHPD (SI)(R13*8), X, X; \
	MOVLQSX OFF+8(R9)(AX*4), R12; \
	MOVLQSX OFF+12(R9)(AX*4), R13; \
	VMOVSD (SI)(R12*8), X6; \
	VMOVHPD (SI)(R13*8), X6, X6; \
	VINSERTF128 $1, X6, Y, Y

// func csrMulVecAVX2(y, x []float64, ptr, col []int32, val []float64)
//
// csrMulVec in AVX2, with its bits: Y0 holds (s0, s1, s2, s3), each block
// of four entries adds its products to it (two blocks per iteration, one
// after the other), the entries after the last block go to s0, and
// y[i] = (s0+s1) + (s2+s3): the order of csrMulVecGo.
//
// Registers: DI y, CX len(y), SI x, R8 ptr, R9 col, R10 val, R11 i,
// AX k, BX the end of row i, R14 and DX the last starts of a block of
// eight and of four.
TEXT ·csrMulVecAVX2(SB), NOSPLIT, $0-120
	MOVQ y_base+0(FP), DI
	MOVQ y_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	MOVQ ptr_base+48(FP), R8
	MOVQ col_base+72(FP), R9
	MOVQ val_base+96(FP), R10
	TESTQ CX, CX
	JE avxdone
	MOVLQSX (R8), AX
	XORQ R11, R11

avxrow:
	MOVLQSX 4(R8)(R11*4), BX
	LEAQ -8(BX), R14
	LEAQ -4(BX), DX
	VXORPD Y0, Y0, Y0
	CMPQ AX, R14
	JG avxfour

avxblock8:
	GATHER4(0, X4, Y4)
	VMULPD (R10)(AX*8), Y4, Y4
	VADDPD Y4, Y0, Y0
	GATHER4(16, X5, Y5)
	VMULPD 32(R10)(AX*8), Y5, Y5
	VADDPD Y5, Y0, Y0
	ADDQ $8, AX
	CMPQ AX, R14
	JLE avxblock8

avxfour:
	CMPQ AX, DX
	JG avxtail
	GATHER4(0, X4, Y4)
	VMULPD (R10)(AX*8), Y4, Y4
	VADDPD Y4, Y0, Y0
	ADDQ $4, AX

avxtail:
	// (s2, s3) to X1; VEX scalar operations on X0 keep s1 and clear
	// the upper half.
	VEXTRACTF128 $1, Y0, X1
	CMPQ AX, BX
	JGE avxsum

avxtailloop:
	MOVLQSX (R9)(AX*4), R12
	VMOVSD (R10)(AX*8), X4
	VMULSD (SI)(R12*8), X4, X4
	VADDSD X4, X0, X0
	INCQ AX
	CMPQ AX, BX
	JL avxtailloop

avxsum:
	VUNPCKHPD X0, X0, X4
	VADDSD X4, X0, X0
	VUNPCKHPD X1, X1, X5
	VADDSD X5, X1, X1
	VADDSD X1, X0, X0
	VMOVSD X0, (DI)(R11*8)
	INCQ R11
	CMPQ R11, CX
	JL avxrow

avxdone:
	VZEROUPPER
	RET
