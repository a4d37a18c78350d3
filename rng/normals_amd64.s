//go:build !noasm && !purego

#include "textflag.h"

// zigPerm gathers the high 32 bits of four words into the low 128 bits of
// a register (VPERMD).
DATA zigPerm<>+0(SB)/4, $1
DATA zigPerm<>+4(SB)/4, $3
DATA zigPerm<>+8(SB)/4, $5
DATA zigPerm<>+12(SB)/4, $7
DATA zigPerm<>+16(SB)/4, $0
DATA zigPerm<>+20(SB)/4, $0
DATA zigPerm<>+24(SB)/4, $0
DATA zigPerm<>+28(SB)/4, $0
GLOBL zigPerm<>(SB), RODATA|NOPTR, $32

// Broadcast constants: 0x3FFFFF; the bits of 2^52 | 1; 2^52; 2^22.
DATA zigConst<>+0(SB)/8, $0x3FFFFF
DATA zigConst<>+8(SB)/8, $0x4330000000000001
DATA zigConst<>+16(SB)/8, $0x4330000000000000
DATA zigConst<>+24(SB)/8, $0x4150000000000000
GLOBL zigConst<>(SB), RODATA|NOPTR, $32

// XOSHIRO sets AX to the next word of xoshiro256++ with state R11–R14
// (s0–s3), as Xoshiro.Uint64, using DX.
#define XOSHIRO \
	MOVQ R11, AX; \
	ADDQ R14, AX; \
	ROLQ $23, AX; \
	ADDQ R11, AX; \
	MOVQ R12, DX; \
	SHLQ $17, DX; \
	XORQ R11, R13; \
	XORQ R12, R14; \
	XORQ R13, R12; \
	XORQ R14, R11; \
	XORQ DX, R13; \
	ROLQ $45, R14

// LAYER loads (zigT[i], zigW[i]) of the layer i = AX & 1023 into X, using
// BX.
#define LAYER(X) \
	MOVQ AX, BX; \
	ANDQ $1023, BX; \
	SHLQ $4, BX; \
	VMOVUPD (R8)(BX*1), X

// func zigNormals(dst []float64, gen *Xoshiro, words *[4]uint64, scale float64, tw *[2048]float64) (n, rejected int)
//
// Blocks of four: the generator's next four words go to words and to Y0.
// For each word b, j = int64(b)>>10 | 1 is hi·2^22 + lo with
// hi = int32(b>>32) and lo = (b>>10 & 0x3FFFFF) | 1; both convert to
// float64 exactly (hi with VCVTDQ2PD, lo by setting it as the mantissa of
// 2^52 and subtracting 2^52), and so do hi·2^22 and the sum, an integer
// below 2^53 in magnitude: j is exactly zigDraw's. Then j², the comparison
// with zigT[i] and x = (j·zigW[i])·scale round as in Go (no fused
// multiply-add). The four results are stored; if a candidate is rejected,
// the count stops before it and rejected is 1.
//
// Only VEX instructions: a legacy SSE one among them, with the upper
// halves of the registers live, measured 50 times slower here.
//
// Registers: DI dst, CX the places left, SI words, R9 gen, R8 tw, R10 n,
// R11–R14 the generator's state; Y7 scale, Y8 0x3FFFFF, Y9 the bits of
// 2^52 | 1, Y10 2^52, Y11 zigPerm, Y12 2^22.
TEXT ·zigNormals(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ gen+24(FP), R9
	MOVQ words+32(FP), SI
	MOVQ tw+48(FP), R8
	XORQ R10, R10
	MOVQ $0, rejected+64(FP)
	CMPQ CX, $4
	JLT none

	MOVQ 0(R9), R11
	MOVQ 8(R9), R12
	MOVQ 16(R9), R13
	MOVQ 24(R9), R14
	VBROADCASTSD scale+40(FP), Y7
	VPBROADCASTQ zigConst<>+0(SB), Y8
	VPBROADCASTQ zigConst<>+8(SB), Y9
	VPBROADCASTQ zigConst<>+16(SB), Y10
	VMOVDQU zigPerm<>(SB), Y11
	VPBROADCASTQ zigConst<>+24(SB), Y12

loop:
	// Four words into words, Y0 and their layers into X4, X5, X6, X13.
	XOSHIRO
	MOVQ AX, 0(SI)
	VMOVQ AX, X0
	LAYER(X4)
	XOSHIRO
	MOVQ AX, 8(SI)
	VPINSRQ $1, AX, X0, X0
	LAYER(X5)
	XOSHIRO
	MOVQ AX, 16(SI)
	VMOVQ AX, X1
	LAYER(X6)
	XOSHIRO
	MOVQ AX, 24(SI)
	VPINSRQ $1, AX, X1, X1
	LAYER(X13)
	VINSERTI128 $1, X1, Y0, Y0

	// lo = (b>>10 & 0x3FFFFF) | 1, exactly, in Y1.
	VPSRLQ $10, Y0, Y1
	VPAND Y8, Y1, Y1
	VPOR Y9, Y1, Y1
	VSUBPD Y10, Y1, Y1

	// j = hi·2^22 + lo in Y2; j² in Y3.
	VPERMD Y0, Y11, Y2
	VCVTDQ2PD X2, Y2
	VMULPD Y12, Y2, Y2
	VADDPD Y1, Y2, Y2
	VMULPD Y2, Y2, Y3

	// T = (zigT) in Y14, W = (zigW) in Y4.
	VUNPCKLPD X5, X4, X14
	VUNPCKHPD X5, X4, X4
	VUNPCKLPD X13, X6, X1
	VUNPCKHPD X13, X6, X6
	VINSERTF128 $1, X1, Y14, Y14
	VINSERTF128 $1, X6, Y4, Y4

	// accept = j² < T (ordered, signalling: as Go's <).
	VCMPPD $1, Y14, Y3, Y5

	// x = (j·W)·scale, stored for all four.
	VMULPD Y4, Y2, Y2
	VMULPD Y7, Y2, Y2
	VMOVUPD Y2, (DI)

	VMOVMSKPD Y5, AX
	CMPQ AX, $15
	JNE partial
	ADDQ $32, DI
	ADDQ $4, R10
	SUBQ $4, CX
	CMPQ CX, $4
	JGE loop
	JMP done

partial:
	// The accepted words before the first rejected one.
	NOTQ AX
	BSFQ AX, AX
	ADDQ AX, R10
	MOVQ $1, rejected+64(FP)

done:
	VZEROUPPER
	MOVQ R11, 0(R9)
	MOVQ R12, 8(R9)
	MOVQ R13, 16(R9)
	MOVQ R14, 24(R9)

none:
	MOVQ R10, n+56(FP)
	RET
