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

// func sigmoidPairsSSE2(r, x []float64) int
//
// r[i] = 1/(1 + exp(-x[i])) for i < len(x) &^ 1, two lanes at a time,
// every operation in the order and rounding of exp in exp.go, up to the
// first pair with an |x[i]| ≥ expLimit or a NaN; returns the number of
// values done. Negations are folded: -c·v for c·(-v) and kd·H - v for
// -v + kd·H give the same bits.
TEXT ·sigmoidPairsSSE2(SB), NOSPLIT, $0-56
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

// The constants of exp for sigmoidQuads, four copies each (32 bytes): the
// order of sigk.
#define QUAD(off, bits) \
	DATA sigk4<>+off(SB)/8, $bits \
	DATA sigk4<>+(off+8)(SB)/8, $bits \
	DATA sigk4<>+(off+16)(SB)/8, $bits \
	DATA sigk4<>+(off+24)(SB)/8, $bits

QUAD(0x000, 0xc0671547652b82fe) // -expInvLn2N
QUAD(0x020, 0x4338000000000000) // expShift
QUAD(0x040, 0xbf762e42fefa0000) // expNegLn2H
QUAD(0x060, 0xbd0cf79abc9e3b3a) // expNegLn2L
QUAD(0x080, 0x3fdffffffffffdbd) // expC2
QUAD(0x0a0, 0x3fc555555555543c) // expC3
QUAD(0x0c0, 0x3fa55555cf172b91) // expC4
QUAD(0x0e0, 0x3f81111167a4d017) // expC5
QUAD(0x100, 0x3ff0000000000000) // 1
QUAD(0x120, 0x7fffffffffffffff) // |·|
QUAD(0x140, 0x4085e00000000000) // expLimit
GLOBL sigk4<>(SB), RODATA|NOPTR, $0x160

// func sigmoidQuads(r, x []float64) int
//
// sigmoidPairs four lanes at a time in AVX2, with its operations in its
// order: r[i] = 1/(1 + exp(-x[i])) for i < len(x) &^ 3, up to the first
// block of four with an |x[i]| ≥ expLimit or a NaN; returns the number of
// values done. The constants are memory operands.
//
// Registers: DI r, SI x, CX the values to do, AX i, R10 expTab, R8, R9,
// R11, R12 the four lanes' table offsets.
TEXT ·sigmoidQuads(SB), NOSPLIT, $0-56
	MOVQ r_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	ANDQ $-4, CX
	LEAQ ·expTab(SB), R10
	XORQ AX, AX
	CMPQ AX, CX
	JGE qdone

qloop:
	VMOVUPD (SI)(AX*8), Y0             // v
	VANDPD sigk4<>+0x120(SB), Y0, Y1
	VCMPPD $5, sigk4<>+0x140(SB), Y1, Y1 // !(|v| < expLimit)
	VMOVMSKPD Y1, DX
	TESTQ DX, DX
	JNZ qdone
	VMULPD sigk4<>+0x000(SB), Y0, Y1   // expInvLn2N·(-v)
	VADDPD sigk4<>+0x020(SB), Y1, Y1   // kd, whose bits are ki
	VSUBPD sigk4<>+0x020(SB), Y1, Y2   // kd
	VMULPD sigk4<>+0x040(SB), Y2, Y3   // kd·H
	VSUBPD Y0, Y3, Y3                  // -v + kd·H
	VMULPD sigk4<>+0x060(SB), Y2, Y2   // kd·L
	VADDPD Y2, Y3, Y3                  // r

	// j = ki mod expN of each lane, times 16: its (tail, bits) in expTab.
	VMOVQ X1, R8
	VPEXTRQ $1, X1, R9
	VEXTRACTI128 $1, Y1, X2
	VMOVQ X2, R11
	VPEXTRQ $1, X2, R12
	ANDQ $0x7f, R8
	ANDQ $0x7f, R9
	ANDQ $0x7f, R11
	ANDQ $0x7f, R12
	SHLQ $4, R8
	SHLQ $4, R9
	SHLQ $4, R11
	SHLQ $4, R12
	VMOVUPD (R10)(R8*1), X4
	VMOVUPD (R10)(R9*1), X5
	VMOVUPD (R10)(R11*1), X6
	VMOVUPD (R10)(R12*1), X7
	VUNPCKLPD X5, X4, X8
	VUNPCKHPD X5, X4, X4
	VUNPCKLPD X7, X6, X9
	VUNPCKHPD X7, X6, X6
	VINSERTF128 $1, X9, Y8, Y8         // tail
	VINSERTF128 $1, X6, Y4, Y4         // bits of 2^(j/expN) less j << 45
	VPSLLQ $45, Y1, Y1                 // top = ki << (52-expBits)
	VPADDQ Y1, Y4, Y4                  // scale

	VMULPD Y3, Y3, Y2                  // r2
	VMULPD sigk4<>+0x0a0(SB), Y3, Y0   // r·C3
	VADDPD sigk4<>+0x080(SB), Y0, Y0   // C2 + r·C3
	VMULPD Y2, Y0, Y0                  // r2·(C2 + r·C3)
	VADDPD Y3, Y8, Y8                  // tail + r
	VADDPD Y0, Y8, Y8                  // + r2·(C2 + r·C3)
	VMULPD sigk4<>+0x0e0(SB), Y3, Y3   // r·C5
	VADDPD sigk4<>+0x0c0(SB), Y3, Y3   // C4 + r·C5
	VMULPD Y2, Y2, Y2                  // r2·r2
	VMULPD Y3, Y2, Y2                  // r2·r2·(C4 + r·C5)
	VADDPD Y2, Y8, Y8                  // tmp
	VMULPD Y4, Y8, Y8                  // scale·tmp
	VADDPD Y4, Y8, Y8                  // e^-v = scale + scale·tmp
	VADDPD sigk4<>+0x100(SB), Y8, Y8   // 1 + e^-v
	VMOVUPD sigk4<>+0x100(SB), Y0
	VDIVPD Y8, Y0, Y0                  // 1/(1 + e^-v)
	VMOVUPD Y0, (DI)(AX*8)
	ADDQ $4, AX
	CMPQ AX, CX
	JL qloop

qdone:
	VZEROUPPER
	MOVQ AX, ret+48(FP)
	RET
