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

// Constants of the ziggurat, four copies each: 0x3FFFFF; the bits of
// 2^52 | 1; 2^52; 2^22.
DATA zigMask22<>+0(SB)/8, $0x3FFFFF
DATA zigMask22<>+8(SB)/8, $0x3FFFFF
DATA zigMask22<>+16(SB)/8, $0x3FFFFF
DATA zigMask22<>+24(SB)/8, $0x3FFFFF
GLOBL zigMask22<>(SB), RODATA|NOPTR, $32
DATA zigMagic1<>+0(SB)/8, $0x4330000000000001
DATA zigMagic1<>+8(SB)/8, $0x4330000000000001
DATA zigMagic1<>+16(SB)/8, $0x4330000000000001
DATA zigMagic1<>+24(SB)/8, $0x4330000000000001
GLOBL zigMagic1<>(SB), RODATA|NOPTR, $32
DATA zigTwo52<>+0(SB)/8, $0x4330000000000000
DATA zigTwo52<>+8(SB)/8, $0x4330000000000000
DATA zigTwo52<>+16(SB)/8, $0x4330000000000000
DATA zigTwo52<>+24(SB)/8, $0x4330000000000000
GLOBL zigTwo52<>(SB), RODATA|NOPTR, $32
DATA zigTwo22<>+0(SB)/8, $0x4150000000000000
DATA zigTwo22<>+8(SB)/8, $0x4150000000000000
DATA zigTwo22<>+16(SB)/8, $0x4150000000000000
DATA zigTwo22<>+24(SB)/8, $0x4150000000000000
GLOBL zigTwo22<>(SB), RODATA|NOPTR, $32

// ZIGGURAT runs the fast path on the four words in Y0 with their
// (zigT[i], zigW[i]) in X4, X5, X6, X13, Y12 holding zigPerm and Y7 the
// scale: it stores the four x = (j·zigW[i])·scale at DI and sets AX to
// the mask of the accepted candidates (bit k for word k), using Y1–Y6
// and Y14.
//
// j = int64(b)>>10 | 1 is hi·2^22 + lo with hi = int32(b>>32) and lo =
// (b>>10 & 0x3FFFFF) | 1; both convert to float64 exactly (hi with
// VCVTDQ2PD, lo by setting it as the mantissa of 2^52 and subtracting
// 2^52), and so do hi·2^22 and the sum, an integer below 2^53 in
// magnitude: j is exactly zigDraw's. Then j², the comparison with
// zigT[i] (ordered, signalling: as Go's <) and x round as in Go (no
// fused multiply-add).
#define ZIGGURAT \
	VPSRLQ $10, Y0, Y1; \
	VPAND zigMask22<>(SB), Y1, Y1; \
	VPOR zigMagic1<>(SB), Y1, Y1; \
	VSUBPD zigTwo52<>(SB), Y1, Y1; \
	VPERMD Y0, Y12, Y2; \
	VCVTDQ2PD X2, Y2; \
	VMULPD zigTwo22<>(SB), Y2, Y2; \
	VADDPD Y1, Y2, Y2; \
	VMULPD Y2, Y2, Y3; \
	VUNPCKLPD X5, X4, X14; \
	VUNPCKHPD X5, X4, X4; \
	VUNPCKLPD X13, X6, X1; \
	VUNPCKHPD X13, X6, X6; \
	VINSERTF128 $1, X1, Y14, Y14; \
	VINSERTF128 $1, X6, Y4, Y4; \
	VCMPPD $1, Y14, Y3, Y5; \
	VMULPD Y4, Y2, Y2; \
	VMULPD Y7, Y2, Y2; \
	VMOVUPD Y2, (DI); \
	VMOVMSKPD Y5, AX

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

// LANE loads (zigT[i], zigW[i]) of the layer i = R & 1023 into X.
#define LANE(R, X) \
	ANDQ $1023, R; \
	SHLQ $4, R; \
	VMOVUPD (R8)(R*1), X

// func zigNormals(dst []float64, gen *Xoshiro, words *[4]uint64, scale float64, tw *[2048]float64) (n, rejected int)
//
// Blocks of four: the generator's next four words go to words and to Y0,
// then through ZIGGURAT. The four results are stored; if a candidate is
// rejected, the count stops before it and rejected is 1.
//
// Only VEX instructions: a legacy SSE one among them, with the upper
// halves of the registers live, measured 50 times slower here.
//
// Registers: DI dst, CX the places left, SI words, R9 gen, R8 tw, R10 n,
// R11–R14 the generator's state; Y7 scale, Y12 zigPerm.
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
	VMOVDQU zigPerm<>(SB), Y12

loop:
	// Four words into words, Y0 and their layers into X4, X5, X6, X13.
	XOSHIRO
	MOVQ AX, 0(SI)
	VMOVQ AX, X0
	MOVQ AX, BX
	LANE(BX, X4)
	XOSHIRO
	MOVQ AX, 8(SI)
	VPINSRQ $1, AX, X0, X0
	MOVQ AX, BX
	LANE(BX, X5)
	XOSHIRO
	MOVQ AX, 16(SI)
	VMOVQ AX, X1
	MOVQ AX, BX
	LANE(BX, X6)
	XOSHIRO
	MOVQ AX, 24(SI)
	VPINSRQ $1, AX, X1, X1
	MOVQ AX, BX
	LANE(BX, X13)
	VINSERTI128 $1, X1, Y0, Y0

	ZIGGURAT
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

// func zigNormals4(dst []float64, gen *Xoshiro4, scale float64, tw *[2048]float64) (n, rejected int)
//
// zigNormals with the four lanes of gen stepped together in Y8–Y11
// (s0–s3 of lanes 0–3: gen.s): each step gives the four words of a block
// in Y0, with the same operations as Xoshiro.Uint64 on each lane
// (rotations as two shifts and an OR). At a rejected candidate the block's
// words go to gen.buf and gen.pos is its place, so that Go finishes the
// step from there. gen.pos must be 4 on entry.
//
// Registers: DI dst, CX the places left, SI gen, R8 tw, R10 n; AX, BX, DX,
// R9 the four words for their layers; Y7 scale, Y8–Y11 the state, Y12
// zigPerm; the other constants are memory operands.
TEXT ·zigNormals4(SB), NOSPLIT, $0-64
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ gen+24(FP), SI
	MOVQ tw+40(FP), R8
	XORQ R10, R10
	MOVQ $0, rejected+56(FP)
	CMPQ CX, $4
	JLT none

	VMOVDQU 0(SI), Y8
	VMOVDQU 32(SI), Y9
	VMOVDQU 64(SI), Y10
	VMOVDQU 96(SI), Y11
	VBROADCASTSD scale+32(FP), Y7
	VMOVDQU zigPerm<>(SB), Y12

loop4:
	// Words: rotl(s0 + s3, 23) + s0.
	VPADDQ Y11, Y8, Y0
	VPSLLQ $23, Y0, Y1
	VPSRLQ $41, Y0, Y0
	VPOR Y1, Y0, Y0
	VPADDQ Y8, Y0, Y0
	// t = s1<<17; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t;
	// s3 = rotl(s3, 45).
	VPSLLQ $17, Y9, Y1
	VPXOR Y8, Y10, Y10
	VPXOR Y9, Y11, Y11
	VPXOR Y10, Y9, Y9
	VPXOR Y11, Y8, Y8
	VPXOR Y1, Y10, Y10
	VPSLLQ $45, Y11, Y1
	VPSRLQ $19, Y11, Y11
	VPOR Y1, Y11, Y11

	// The layers of the four words into X4, X5, X6, X13.
	VMOVQ X0, AX
	VPEXTRQ $1, X0, BX
	VEXTRACTI128 $1, Y0, X1
	VMOVQ X1, DX
	VPEXTRQ $1, X1, R9
	LANE(AX, X4)
	LANE(BX, X5)
	LANE(DX, X6)
	LANE(R9, X13)

	ZIGGURAT
	CMPQ AX, $15
	JNE partial4
	ADDQ $32, DI
	ADDQ $4, R10
	SUBQ $4, CX
	CMPQ CX, $4
	JGE loop4
	JMP done4

partial4:
	// The accepted words before the first rejected one; the block's
	// words to gen.buf, gen.pos at the rejected one.
	NOTQ AX
	BSFQ AX, AX
	ADDQ AX, R10
	VMOVDQU Y0, 128(SI)
	MOVQ AX, 160(SI)
	MOVQ $1, rejected+56(FP)

done4:
	VMOVDQU Y8, 0(SI)
	VMOVDQU Y9, 32(SI)
	VMOVDQU Y10, 64(SI)
	VMOVDQU Y11, 96(SI)
	VZEROUPPER

none:
	MOVQ R10, n+48(FP)
	RET
