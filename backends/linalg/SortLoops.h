//===- SortLoops.h - the first k of n elements in order, as loops -*- C++ -*-===//
//
// TopK and Unique need the first k of n elements (k = n for Unique) in a
// caller's strict order; these build that as scf loops over one index
// tensor (`scratch`, 2n entries, carried through, nothing allocated inside).
//
//  * sortPrefix: a bottom-up merge sort whose runs are cut at k entries.
//    The two halves of the scratch are read and written in turn. Once runs
//    reach k, each merge writes k entries from two runs of k and the
//    passes shrink by half: O(n log min(n, k) + n) comparisons.
//  * selectPrefix: one scan keeping the best k in a sorted list; an element
//    is compared with the list's last entry and, if it beats it, inserted
//    (a shift from the end). On data in no particular order few elements
//    enter the list (about k ln(n/k)), so it is one comparison per element,
//    made 16 at a time (vectorised) on blocks that do not enter; O(n k) at
//    worst (data already in order), hence only for small k.
//  * orderedPrefix picks: selectPrefix for k <= kSelectMaxK, else
//    sortPrefix (decided at run time: k is often data).
//  * heapify / heapPop: a binary heap for a consumer that stops early and
//    cannot know its k (NonMaxSuppression stops after so many selections):
//    O(n) to build, O(log n) per element taken.
//
// The order must be total (ties broken by element number). The loops are
// sequential: on a CPU one slice is one thread's work. A GPU gets more from
// the rank count, one thread per element (LowerSorting.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_BACKENDS_LINALG_SORTLOOPS_H
#define KILN_BACKENDS_LINALG_SORTLOOPS_H

#include "mlir/IR/Builders.h"

namespace kiln::lowering {

/// `precedes(b, loc, a, c)`: i1, element number `a` comes before `c`.
using ElementOrder = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::Value a, mlir::Value c)>;

struct SortedPrefix {
  mlir::Value buffer; // the updated scratch tensor
  mlir::Value offset; // where the first min(n, k) element numbers start

  /// The element number in place `i` (< min(n, k)) of the order.
  mlir::Value at(mlir::OpBuilder &b, mlir::Location loc, mlir::Value i) const;
};

/// A scratch for n elements: tensor<?xindex> of 2n entries.
mlir::Value sortScratch(mlir::OpBuilder &b, mlir::Location loc, mlir::Value n);

/// The largest k for which orderedPrefix scans with selectPrefix. At worst
/// (data in order) that is 64 shifts per element, about ten times the
/// merge sort's comparisons; on data in no order, one comparison per
/// element against the merge sort's log2(k) + 1.
constexpr int64_t kSelectMaxK = 64;

/// Each writes element numbers 0..n-1 sorted by `precedes` into `scratch`
/// (sortScratch(n); its contents are overwritten) and
/// returns it: entries [offset, offset + min(n, k)) hold the first
/// min(n, k) element numbers in order. `precedes` is only asked about
/// numbers in [0, n).
SortedPrefix sortPrefix(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value scratch, mlir::Value n, mlir::Value k,
                        ElementOrder precedes);
SortedPrefix selectPrefix(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value scratch, mlir::Value n, mlir::Value k,
                          ElementOrder precedes);
SortedPrefix orderedPrefix(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value scratch, mlir::Value n, mlir::Value k,
                           ElementOrder precedes);

/// Makes entries [0, size) of `heap` (element numbers in [0, n)) a heap
/// whose top, entry 0, precedes every other entry; returns the tensor.
mlir::Value heapify(mlir::OpBuilder &b, mlir::Location loc, mlir::Value heap,
                    mlir::Value size, ElementOrder precedes);

/// Takes the top of a heap of `size` >= 1 entries: returns the updated
/// tensor (a heap of size - 1) and the element number taken.
std::pair<mlir::Value, mlir::Value> heapPop(mlir::OpBuilder &b,
                                            mlir::Location loc,
                                            mlir::Value heap, mlir::Value size,
                                            ElementOrder precedes);

} // namespace kiln::lowering

#endif // KILN_BACKENDS_LINALG_SORTLOOPS_H
