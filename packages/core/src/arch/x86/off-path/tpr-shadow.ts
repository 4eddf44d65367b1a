// TPR virtualization without virtual-interrupt delivery (semantics §A.2 "TPR threshold", §B.2 step 6;
// SDM:APICV "TPR Virtualization"): a guest write to VTPR (CR8 or the page's 0x80) exits with
// TPR_BELOW_THRESHOLD when VTPR[7:4] drops below TPR-threshold[3:0]. Trap-like: VTPR already holds the value.

export const tprBelowThreshold = (vtpr: number, threshold: number): boolean => ((vtpr >>> 4) & 0xf) < (threshold & 0xf);
