//===- KilnOps.td - all kiln ops -------------------------------*- tablegen -*-===//
#ifndef KILN_OPS_TD
#define KILN_OPS_TD

include "dialects/kiln/KilnElementwiseOps.td"
include "dialects/kiln/KilnNNOps.td"
include "dialects/kiln/KilnReductionOps.td"
include "dialects/kiln/KilnTensorOps.td"
include "dialects/kiln/KilnIndexingOps.td"
include "dialects/kiln/KilnSignalOps.td"
include "dialects/kiln/KilnRecurrentOps.td"
include "dialects/kiln/KilnCompositeOps.td"
include "dialects/kiln/KilnFusionOps.td"
include "dialects/kiln/KilnControlFlowOps.td"

#endif // KILN_OPS_TD
