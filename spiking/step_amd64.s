//go:build !noasm && !purego

#include "textflag.h"

// func stepUnitsAVX2(spk []int32, v, tfree, ipsc, ext, z, h, decayD []float64, t, a, dt, decayR, peak float64, detect bool) int
//
// For every unit k < n = len(v), as stepUnitsGo:
//
//	v' = v + ((ipsc + ext) - v)·a   where t > tfree (GT_OQ: false for NaN), else v
//	v  = v' + z
//	spike when detect and v ≥ peak (GE_OQ: false for NaN)
//	ipsc = ipsc·decayD + h·dt
//	h    = h·decayR
//
// four units at a time in the YMM registers, and the last n mod 4 one at a
// time in the low lane of the XMM registers. There is no FMA: every sum,
// difference and product is a separate VADDPD, VSUBPD or VMULPD with the
// operands in the order of the Go expression, so that each rounds as in
// Go; the branch on t > tfree is a VBLENDVPD of v' and v on the compare's
// mask, which keeps v's bits where it is false. The units of each block
// at or above peak come from VMOVMSKPD, lowest bit first, and are written
// to spk[count], count increasing; it returns count.
//
// Go's operand order is reversed from Intel's: VSUBPD Y1, Y2, Y3 is
// Y3 = Y2 - Y1, VCMPPD $p, Y1, Y2, Y3 compares Y2 p Y1, and
// VBLENDVPD Ym, Y1, Y2, Y3 is Y3 = Ym ? Y1 : Y2 lane by lane.
//
// Registers: DI spk, SI v, R8 tfree, R9 ipsc, R10 ext, R11 z, R12 h,
// R13 decayD, CX n, AX k, DX count, BX the spike mask of a block;
// Y10 t, Y11 a, Y12 dt, Y13 decayR, Y14 peak, each in every lane.
TEXT ·stepUnitsAVX2(SB), NOSPLIT, $0-248
	MOVQ spk_base+0(FP), DI
	MOVQ v_base+24(FP), SI
	MOVQ v_len+32(FP), CX
	MOVQ tfree_base+48(FP), R8
	MOVQ ipsc_base+72(FP), R9
	MOVQ ext_base+96(FP), R10
	MOVQ z_base+120(FP), R11
	MOVQ h_base+144(FP), R12
	MOVQ decayD_base+168(FP), R13
	VBROADCASTSD t+192(FP), Y10
	VBROADCASTSD a+200(FP), Y11
	VBROADCASTSD dt+208(FP), Y12
	VBROADCASTSD decayR+216(FP), Y13
	VBROADCASTSD peak+224(FP), Y14
	XORQ AX, AX
	XORQ DX, DX
	LEAQ 4(AX), R14
	CMPQ R14, CX
	JGT tail

block:
	VMOVUPD (SI)(AX*8), Y0      // v
	VMOVUPD (R9)(AX*8), Y1      // ipsc
	VMOVUPD (R10)(AX*8), Y2     // ext
	VADDPD  Y2, Y1, Y2          // ipsc + ext
	VSUBPD  Y0, Y2, Y2          // (ipsc + ext) - v
	VMULPD  Y11, Y2, Y2         // ((ipsc + ext) - v)·a
	VADDPD  Y2, Y0, Y2          // v' = v + ((ipsc + ext) - v)·a
	VMOVUPD (R8)(AX*8), Y3      // tfree
	VCMPPD  $0x1e, Y3, Y10, Y3  // t > tfree (GT_OQ)
	VBLENDVPD Y3, Y2, Y0, Y0    // t > tfree ? v' : v
	VMOVUPD (R11)(AX*8), Y4     // z
	VADDPD  Y4, Y0, Y0          // v + z
	VMOVUPD Y0, (SI)(AX*8)
	VCMPPD  $0x1d, Y14, Y0, Y0  // v ≥ peak (GE_OQ)
	VMOVMSKPD Y0, BX
	VMOVUPD (R13)(AX*8), Y5     // decayD
	VMOVUPD (R12)(AX*8), Y6     // h
	VMULPD  Y5, Y1, Y1          // ipsc·decayD
	VMULPD  Y12, Y6, Y7         // h·dt
	VADDPD  Y7, Y1, Y1          // ipsc·decayD + h·dt
	VMOVUPD Y1, (R9)(AX*8)
	VMULPD  Y13, Y6, Y6         // h·decayR
	VMOVUPD Y6, (R12)(AX*8)
	TESTQ BX, BX
	JNE spikes

next:
	ADDQ $4, AX
	LEAQ 4(AX), R14
	CMPQ R14, CX
	JLE block

tail:
	CMPQ AX, CX
	JGE done

	// One unit at a time: VMOVSD loads zero the high lane, which is
	// computed and dropped.
tailloop:
	VMOVSD (SI)(AX*8), X0       // v
	VMOVSD (R9)(AX*8), X1       // ipsc
	VMOVSD (R10)(AX*8), X2      // ext
	VADDPD X2, X1, X2           // ipsc + ext
	VSUBPD X0, X2, X2           // (ipsc + ext) - v
	VMULPD X11, X2, X2          // ((ipsc + ext) - v)·a
	VADDPD X2, X0, X2           // v' = v + ((ipsc + ext) - v)·a
	VMOVSD (R8)(AX*8), X3       // tfree
	VCMPPD $0x1e, X3, X10, X3   // t > tfree (GT_OQ)
	VBLENDVPD X3, X2, X0, X0    // t > tfree ? v' : v
	VMOVSD (R11)(AX*8), X4      // z
	VADDPD X4, X0, X0           // v + z
	VMOVSD X0, (SI)(AX*8)
	VCMPPD $0x1d, X14, X0, X0   // v ≥ peak (GE_OQ)
	VMOVMSKPD X0, BX
	VMOVSD (R13)(AX*8), X5      // decayD
	VMOVSD (R12)(AX*8), X6      // h
	VMULPD X5, X1, X1           // ipsc·decayD
	VMULPD X12, X6, X7          // h·dt
	VADDPD X7, X1, X1           // ipsc·decayD + h·dt
	VMOVSD X1, (R9)(AX*8)
	VMULPD X13, X6, X6          // h·decayR
	VMOVSD X6, (R12)(AX*8)
	ANDQ $1, BX                 // the low lane only
	JEQ tailnext
	CMPB detect+232(FP), $0
	JEQ tailnext
	MOVL AX, (DI)(DX*4)
	INCQ DX

tailnext:
	INCQ AX
	CMPQ AX, CX
	JL tailloop

done:
	VZEROUPPER
	MOVQ DX, ret+240(FP)
	RET

	// The units of the block at or above peak, lowest lane first.
spikes:
	CMPB detect+232(FP), $0
	JEQ next

spike:
	BSFQ BX, R14
	ADDQ AX, R14
	MOVL R14, (DI)(DX*4)
	INCQ DX
	LEAQ -1(BX), R15
	ANDQ R15, BX
	JNE spike
	JMP next
