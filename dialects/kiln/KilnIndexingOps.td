//===- KilnIndexingOps.td - shape-changing, indexing and ordering ops -*- tablegen -*-===//
//
// Ops whose results are built from indices: broadcasting and tiling,
// padding, index-driven gathers and scatters, and ops whose result size
// depends on the data (non_zero, compress, unique). Sizes given by tensors
// are 1-D si64 operands; axes are attributes, non-negative.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_INDEXING_OPS_TD
#define KILN_INDEXING_OPS_TD

include "dialects/kiln/KilnBase.td"

def Kiln_ExpandOp : Kiln_Op<"expand", [Pure, Kiln_InferTypes]> {
  let summary = "broadcast to a shape given at run time (ONNX Expand)";
  let description = [{
    The result has the multidirectional broadcast of the input's shape and
    `shape`.
  }];
  let arguments = (ins Kiln_Tensor:$input, Kiln_I64Vector:$shape);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat =
      "$input `,` $shape attr-dict `:` functional-type(operands, results)";
}

def Kiln_TileOp : Kiln_Op<"tile", [Pure, Kiln_InferTypes]> {
  let summary = "repeat the input `repeats[i]` times along dimension i";
  let arguments = (ins Kiln_Tensor:$input, Kiln_I64Vector:$repeats);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat =
      "$input `,` $repeats attr-dict `:` functional-type(operands, results)";
}

def Kiln_PadOp : Kiln_Op<"pad", [Pure, Kiln_InferTypes]> {
  let summary = "pad (or, with negative pads, crop) dimensions";
  let description = [{
    `pads` holds the begin padding of each dimension in `axes`, then their
    end padding. `mode` is "constant" (fill with `value`, 0 when absent),
    "reflect", "edge" or "wrap".

    ```mlir
    %y = kiln.pad %x, %pads {axes = array<i64: 0, 1>, mode = "reflect"}
      : (tensor<3x4xf32>, tensor<4xsi64>) -> tensor<?x?xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, Kiln_I64Vector:$pads,
                       Optional<Kiln_Tensor>:$value, DenseI64ArrayAttr:$axes,
                       DefaultValuedAttr<StrAttr, "\"constant\"">:$mode);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $pads (`,` $value^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Kiln_ConstantOfShapeOp : Kiln_Op<"constant_of_shape", [Pure, Kiln_InferTypes]> {
  let summary = "a tensor of a run-time shape filled with `value`";
  let arguments = (ins Kiln_I64Vector:$shape, TypedAttrInterface:$value);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$shape attr-dict `:` type($shape) `->` type($output)";
}

def Kiln_RangeOp : Kiln_Op<"range", [Pure, Kiln_InferTypes]> {
  let summary = "start, start + delta, ... up to limit (exclusive)";
  let arguments = (ins Kiln_NumericTensor:$start, Kiln_NumericTensor:$limit,
                       Kiln_NumericTensor:$delta);
  let results = (outs Kiln_NumericTensor:$output);
  let assemblyFormat = [{
    $start `,` $limit `,` $delta attr-dict `:` functional-type(operands, results)
  }];
}

def Kiln_OneHotOp : Kiln_Op<"one_hot", [Pure, Kiln_InferTypes]> {
  let summary = "values[1] where the index matches, values[0] elsewhere";
  let description = [{
    A new dimension of size `depth` is inserted at `axis`; negative indices
    count from `depth`.
  }];
  let arguments = (ins Kiln_NumericTensor:$indices, Kiln_NumericTensor:$depth,
                       Kiln_Tensor:$values, I64Attr:$axis);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = [{
    $indices `,` $depth `,` $values attr-dict `:` functional-type(operands, results)
  }];
}

def Kiln_TriluOp : Kiln_Op<"trilu", [Pure, Kiln_InferTypes]> {
  let summary = "keep the upper (or lower) triangle of the last two dimensions";
  let description = [{
    Element (i, j) is kept when `j - i >= k` (upper) or `j - i <= k` (lower);
    `k` is 0 when absent.
  }];
  let arguments = (ins Kiln_Tensor:$input, Optional<Kiln_IndexTensor>:$k,
                       DefaultValuedAttr<BoolAttr, "true">:$upper);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = [{
    $input (`,` $k^ `:` type($k))? attr-dict `:` type($input) `->` type($output)
  }];
}

def Kiln_CumSumOp : Kiln_Op<"cum_sum", [Pure, Kiln_InferTypes]> {
  let summary = "running sum along `axis`";
  let description = [{
    An axis only known at run time is the `dynamic_axis` operand (a scalar,
    possibly negative); `axis` is then ignored.
  }];
  let arguments = (ins Kiln_NumericTensor:$input,
                       Optional<Kiln_IndexTensor>:$dynamic_axis, I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "false">:$exclusive,
                       DefaultValuedAttr<BoolAttr, "false">:$reverse);
  let results = (outs Kiln_NumericTensor:$output);
  let assemblyFormat = [{
    $input (`axis` `(` $dynamic_axis^ `:` type($dynamic_axis) `)`)? attr-dict
    `:` type($input)
  }];
}

def Kiln_GatherElementsOp : Kiln_Op<"gather_elements", [Pure, Kiln_InferTypes]> {
  let summary = "out[i] = data[i with dimension `axis` replaced by indices[i]]";
  let arguments = (ins Kiln_Tensor:$data, Kiln_IndexTensor:$indices,
                       I64Attr:$axis);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat =
      "$data `,` $indices attr-dict `:` functional-type(operands, results)";
}

def Kiln_GatherNDOp : Kiln_Op<"gather_nd", [Pure, Kiln_InferTypes]> {
  let summary = "gather slices of data addressed by index tuples (ONNX GatherND)";
  let arguments = (ins Kiln_Tensor:$data, Kiln_IndexTensor:$indices,
                       DefaultValuedAttr<I64Attr, "0">:$batch_dims);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat =
      "$data `,` $indices attr-dict `:` functional-type(operands, results)";
}

def Kiln_ScatterElementsOp : Kiln_Op<"scatter_elements", [Pure, Kiln_InferTypes]> {
  let summary = "data with updates written at indices along `axis`";
  let description = [{
    `reduction` is "none" (the last update of an element wins), "add",
    "mul", "max" or "min".
  }];
  let arguments = (ins Kiln_Tensor:$data, Kiln_IndexTensor:$indices,
                       Kiln_Tensor:$updates, I64Attr:$axis,
                       DefaultValuedAttr<StrAttr, "\"none\"">:$reduction);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = [{
    $data `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)
  }];
}

def Kiln_ScatterNDOp : Kiln_Op<"scatter_nd", [Pure, Kiln_InferTypes]> {
  let summary = "data with update slices written at index tuples (ONNX ScatterND)";
  let arguments = (ins Kiln_Tensor:$data, Kiln_IndexTensor:$indices,
                       Kiln_Tensor:$updates,
                       DefaultValuedAttr<StrAttr, "\"none\"">:$reduction);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = [{
    $data `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)
  }];
}

def Kiln_CompressOp : Kiln_Op<"compress", [Pure, Kiln_InferTypes]> {
  let summary = "the slices along `axis` whose condition is true";
  let description = [{
    The result's size along `axis` is the number of true entries of
    `condition` (entries past the dimension's size are ignored).
  }];
  let arguments = (ins Kiln_Tensor:$input, RankedTensorOf<[I1]>:$condition,
                       I64Attr:$axis);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat =
      "$input `,` $condition attr-dict `:` functional-type(operands, results)";
}

def Kiln_NonZeroOp : Kiln_Op<"non_zero", [Pure, Kiln_InferTypes]> {
  let summary = "the coordinates of the non-zero elements, [rank, count]";
  let arguments = (ins Kiln_Tensor:$input);
  let results = (outs 2DTensorOf<[SI64]>:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Kiln_TopKOp : Kiln_Op<"top_k", [Pure, Kiln_InferTypes]> {
  let summary = "the k largest (or smallest) entries along `axis`, and their indices";
  let description = [{
    Results are in order (largest first, or smallest first); equal values
    keep their index order.
  }];
  let arguments = (ins Kiln_NumericTensor:$input, Kiln_I64Vector:$k,
                       I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "true">:$largest);
  let results = (outs Kiln_NumericTensor:$values, TensorOf<[SI64]>:$indices);
  let assemblyFormat = [{
    $input `,` $k attr-dict `:` functional-type(operands, results)
  }];
}

def Kiln_UniqueOp : Kiln_Op<"unique", [Pure, Kiln_InferTypes]> {
  let summary = "distinct elements (or slices along `axis`) of the input";
  let description = [{
    Results: the unique values (sorted, or in order of first occurrence),
    the index of each one's first occurrence, for every input element (or
    slice) the index of its unique value, and the count of each. Without an
    axis the input is taken flattened.
  }];
  let arguments = (ins Kiln_NumericTensor:$input, OptionalAttr<I64Attr>:$axis,
                       DefaultValuedAttr<BoolAttr, "true">:$sorted);
  let results = (outs Kiln_NumericTensor:$values, 1DTensorOf<[SI64]>:$indices,
                      1DTensorOf<[SI64]>:$inverse_indices,
                      1DTensorOf<[SI64]>:$counts);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Kiln_ReverseSequenceOp : Kiln_Op<"reverse_sequence", [Pure, Kiln_InferTypes]> {
  let summary = "reverse the first lengths[b] steps of each batch entry b";
  let arguments = (ins Kiln_Tensor:$input, 1DTensorOf<[SI64]>:$lengths,
                       I64Attr:$batch_axis, I64Attr:$time_axis);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat =
      "$input `,` $lengths attr-dict `:` functional-type(operands, results)";
}

def Kiln_DepthToSpaceOp : Kiln_Op<"depth_to_space", [Pure, Kiln_InferTypes]> {
  let summary = "move channel blocks into spatial blocks (NCHW)";
  let description = [{
    `column_major` selects ONNX's "CRD" channel order; otherwise "DCR".
  }];
  let arguments = (ins Kiln_Tensor:$input, I64Attr:$blocksize,
                       DefaultValuedAttr<BoolAttr, "false">:$column_major);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Kiln_SpaceToDepthOp : Kiln_Op<"space_to_depth", [Pure, Kiln_InferTypes]> {
  let summary = "move spatial blocks into channels (NCHW)";
  let arguments = (ins Kiln_Tensor:$input, I64Attr:$blocksize);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Kiln_EyeLikeOp : Kiln_Op<"eye_like", [Pure, Kiln_InferTypes]> {
  let summary = "ones on the k-th diagonal of a matrix shaped like the input";
  let arguments = (ins Kiln_Tensor:$input, I64Attr:$k, TypeAttr:$dtype);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Kiln_ArgMaxOp : Kiln_Op<"arg_max", [Pure, Kiln_InferTypes]> {
  let summary = "index of the largest entry along `axis`";
  let description = [{
    Ties go to the first index, or to the last with `select_last_index`.
  }];
  let arguments = (ins Kiln_NumericTensor:$input, I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims,
                       DefaultValuedAttr<BoolAttr, "false">:$select_last_index);
  let results = (outs TensorOf<[SI64]>:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Kiln_ArgMinOp : Kiln_Op<"arg_min", [Pure, Kiln_InferTypes]> {
  let summary = "index of the smallest entry along `axis`";
  let arguments = (ins Kiln_NumericTensor:$input, I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims,
                       DefaultValuedAttr<BoolAttr, "false">:$select_last_index);
  let results = (outs TensorOf<[SI64]>:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Kiln_EinsumOp : Kiln_Op<"einsum", [Pure, Kiln_InferTypes]> {
  let summary = "Einstein summation";
  let description = [{
    `equation` is explicit ("ij,jk->ik") with "..." allowed for leading
    dimensions; the importer makes implicit equations explicit.
  }];
  let arguments = (ins Variadic<Kiln_NumericTensor>:$inputs, StrAttr:$equation);
  let results = (outs Kiln_NumericTensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type($inputs, results)";
}

def Kiln_GridSampleOp : Kiln_Op<"grid_sample", [Pure, Kiln_InferTypes]> {
  let summary = "sample [N, C, H, W] at normalised grid positions [N, Ho, Wo, 2]";
  let description = [{
    PyTorch's grid_sample, as ONNX GridSample specifies: `mode` "bilinear",
    "nearest" or "bicubic"; `padding_mode` "zeros", "border" or
    "reflection".
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$grid,
                       DefaultValuedAttr<StrAttr, "\"bilinear\"">:$mode,
                       DefaultValuedAttr<StrAttr, "\"zeros\"">:$padding_mode,
                       DefaultValuedAttr<BoolAttr, "false">:$align_corners);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat =
      "$input `,` $grid attr-dict `:` functional-type(operands, results)";
}

def Kiln_RoiAlignOp : Kiln_Op<"roi_align", [Pure, Kiln_InferTypes]> {
  let summary = "pool [N, C, H, W] over regions rois [R, 4] into [R, C, Ho, Wo]";
  let description = [{
    ONNX RoiAlign: each region (x1, y1, x2, y2, scaled by `spatial_scale`,
    shifted by -0.5 with `half_pixel`, else at least 1 x 1) of image
    `batch_indices[r]` is cut into Ho x Wo bins; each bin averages (`mode`
    "avg") or takes the largest (`mode` "max") of sampling_ratio^2
    bilinear samples (ceil(bin size) per axis when sampling_ratio is 0).
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$rois,
                       Kiln_IndexTensor:$batch_indices,
                       DefaultValuedAttr<StrAttr, "\"avg\"">:$mode,
                       I64Attr:$output_height, I64Attr:$output_width,
                       I64Attr:$sampling_ratio, F32Attr:$spatial_scale,
                       BoolAttr:$half_pixel);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $rois `,` $batch_indices attr-dict `:`
    functional-type(operands, results)
  }];
}

def Kiln_NonMaxSuppressionOp : Kiln_Op<"non_max_suppression",
                                       [Pure, Kiln_InferTypes]> {
  let summary = "greedy non-maximum suppression per batch and class";
  let description = [{
    Boxes [B, N, 4] (corners, or centre and size with `center_point_box`),
    scores [B, C, N]; scalar limits. The result lists [batch, class, box]
    for each selected box, classes in order, each in decreasing score.
  }];
  let arguments = (ins Kiln_FloatTensor:$boxes, Kiln_FloatTensor:$scores,
                       TensorOf<[SI64]>:$max_output_boxes_per_class,
                       Kiln_FloatTensor:$iou_threshold,
                       Kiln_FloatTensor:$score_threshold,
                       DefaultValuedAttr<BoolAttr, "false">:$center_point_box);
  let results = (outs 2DTensorOf<[SI64]>:$output);
  let assemblyFormat = [{
    $boxes `,` $scores `,` $max_output_boxes_per_class `,` $iou_threshold `,`
    $score_threshold attr-dict `:` functional-type(operands, results)
  }];
}

def Kiln_DetOp : Kiln_Op<"det", [Pure, Kiln_InferTypes]> {
  let summary = "determinant of each square matrix in the last two dimensions";
  let arguments = (ins Kiln_FloatTensor:$input);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

#endif // KILN_INDEXING_OPS_TD
