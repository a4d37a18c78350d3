//go:build !noasm && !purego

#include "textflag.h"

// func csrMulVec(y, x []float64, ptr, col []int32, val []float64)
//
// For each row i: y[i] = (s0+s1) + (s2+s3), where, over the row's entries
// k = ptr[i] … ptr[i+1]-1 in blocks of four, s0 … s3 accumulate
// val[k]·x[col[k]] of the block's first … fourth entry, and the entries
// after the last block go to s0: the order of csrMulVecGo. X0 holds
// (s0, s1) and X1 (s2, s3); every product and sum is rounded as in Go.
//
// Registers: DI y, CX len(y), SI x, R8 ptr, R9 col, R10 val, R11 i,
// AX k, BX the end of row i.
TEXT ·csrMulVec(SB), NOSPLIT, $0-120
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
