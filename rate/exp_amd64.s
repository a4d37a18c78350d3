//go:build !noasm && !purego

#include "textflag.h"

// Constants of exp (exp.go), each twice: -expInvLn2N, expShift,
// expNegLn2H, expNegLn2L, expC2 … expC5, 1, the mask of |x| and
// expLimit.
#define PAIR(off, bits) \
	DATA sigk<>+off(SB)/8, $bits \
	DATA sigk<>+(off+8)(SB)/8, $bits

PAIR(0x00, 0xc0671547652b82fe)
PAIR(0x10, 0x4338000000000000)
PAIR(0x20, 0xbf762e42fefa0000)
PAIR(0x30, 0xbd0cf79abc9e3b3a)
PAIR(0x40, 0x3fdffffffffffdbd)
PAIR(0x50, 0x3fc555555555543c)
PAIR(0x60, 0x3fa55555cf172b91)
PAIR(0x70, 0x3f81111167a4d017)
PAIR(0x80, 0x3ff0000000000000)
PAIR(0x90, 0x7fffffffffffffff) // |·|
PAIR(0xa0, 0x4085e00000000000) // expLimit
GLOBL sigk<>(SB), RODATA|NOPTR, $0xb0

// func sigmoidPairs(r, x []float64) int
//
// r[i] = 1/(1 + exp(-x[i])) for i < len(x) &^ 1, two lanes at a time,
// every operation in the order and rounding of exp in exp.go, up to the
// first pair with an |x[i]| ≥ expLimit or a NaN; returns the number of
// values done. Negations are folded: -c·v for c·(-v) and kd·H - v for
// -v + kd·H give the same bits.
TEXT ·sigmoidPairs(SB), NOSPLIT, $0-56
	MOVQ r_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	ANDQ $-2, CX
	LEAQ ·expTab(SB), R10
	MOVUPD sigk<>+0x00(SB), X5  // -expInvLn2N
	MOVUPD sigk<>+0x10(SB), X6  // expShift
	MOVUPD sigk<>+0x20(SB), X7  // expNegLn2H
	MOVUPD sigk<>+0x30(SB), X8  // expNegLn2L
	MOVUPD sigk<>+0x40(SB), X9  // expC2
	MOVUPD sigk<>+0x50(SB), X10 // expC3
	MOVUPD sigk<>+0x60(SB), X11 // expC4
	MOVUPD sigk<>+0x70(SB), X12 // expC5
	MOVUPD sigk<>+0x80(SB), X13 // 1
	MOVUPD sigk<>+0x90(SB), X14 // mask of |·|
	XORQ AX, AX
	CMPQ AX, CX
	JGE done

loop:
	MOVUPD (SI)(AX*8), X0 // v
	MOVAPD X0, X1
	ANDPD X14, X1
	MOVUPD sigk<>+0xa0(SB), X2
	CMPPD X2, X1, $5      // !(|v| < expLimit)
	MOVMSKPD X1, DX
	TESTQ DX, DX
	JNZ done
	MOVAPD X0, X1
	MULPD X5, X1          // expInvLn2N·(-v)
	ADDPD X6, X1          // kd, whose bits are ki
	MOVAPD X1, X2         // ki
	SUBPD X6, X1          // kd
	MOVAPD X1, X3
	MULPD X7, X3          // kd·H
	SUBPD X0, X3          // -v + kd·H
	MULPD X8, X1          // kd·L
	ADDPD X1, X3          // r
	MOVQ X2, R8
	PSHUFD $0xee, X2, X4
	MOVQ X4, R9
	ANDQ $0x7f, R8        // j = ki mod expN
	ANDQ $0x7f, R9
	PSLLQ $45, X2         // top = ki << (52-expBits)
	SHLQ $1, R8
	SHLQ $1, R9
	MOVSD (R10)(R8*8), X4  // tail
	MOVHPD (R10)(R9*8), X4
	MOVSD 8(R10)(R8*8), X1 // bits of 2^(j/expN) less j << 45
	MOVHPD 8(R10)(R9*8), X1
	PADDQ X2, X1           // scale
	MOVAPD X3, X2
	MULPD X3, X2           // r2
	MOVAPD X3, X0
	MULPD X10, X0          // r·C3
	ADDPD X9, X0           // C2 + r·C3
	MULPD X2, X0           // r2·(C2 + r·C3)
	ADDPD X3, X4           // tail + r
	ADDPD X0, X4           // + r2·(C2 + r·C3)
	MULPD X12, X3          // r·C5
	ADDPD X11, X3          // C4 + r·C5
	MULPD X2, X2           // r2·r2
	MULPD X3, X2           // r2·r2·(C4 + r·C5)
	ADDPD X2, X4           // tmp
	MULPD X1, X4           // scale·tmp
	ADDPD X1, X4           // e^-v = scale + scale·tmp
	ADDPD X13, X4          // 1 + e^-v
	MOVAPD X13, X0
	DIVPD X4, X0           // 1/(1 + e^-v)
	MOVUPD X0, (DI)(AX*8)
	ADDQ $2, AX
	CMPQ AX, CX
	JL loop

done:
	MOVQ AX, ret+48(FP)
	RET
