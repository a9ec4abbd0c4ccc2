/*===- kiln_runtime.h - the runtime's C API ------------------------*- C -*-===
 *
 * Part of Kiln's public API, for callers in C and other languages. Every
 * function that can fail returns 0 on success and non-zero on failure;
 * kiln_last_error() then gives the message (per thread).
 *
 *===----------------------------------------------------------------------===*/
#ifndef KILN_RUNTIME_C_H
#define KILN_RUNTIME_C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kiln_session kiln_session;
typedef struct kiln_tensor kiln_tensor;

/* Element types use ONNX's TensorProto.DataType numbers (1 = float32). */

/* The message of the last failure on this thread. */
const char *kiln_last_error(void);

int kiln_session_open(const char *artifact_path, kiln_session **out);
void kiln_session_close(kiln_session *session);

size_t kiln_session_num_inputs(const kiln_session *session);
size_t kiln_session_num_outputs(const kiln_session *session);
const char *kiln_session_input_name(const kiln_session *session, size_t i);
const char *kiln_session_output_name(const kiln_session *session, size_t i);
int kiln_session_input_dtype(const kiln_session *session, size_t i);

/* A tensor that borrows `data` (not copied; must stay valid during the
 * run) or, for results, owns its storage. */
kiln_tensor *kiln_tensor_wrap(int dtype, const int64_t *shape, size_t rank,
                              void *data);
void kiln_tensor_free(kiln_tensor *tensor);
int kiln_tensor_dtype(const kiln_tensor *tensor);
size_t kiln_tensor_rank(const kiln_tensor *tensor);
const int64_t *kiln_tensor_shape(const kiln_tensor *tensor);
void *kiln_tensor_data(kiln_tensor *tensor);

/* Runs the model. `outputs` must have room for kiln_session_num_outputs()
 * tensors, which the caller frees with kiln_tensor_free. */
int kiln_session_run(kiln_session *session, kiln_tensor *const *inputs,
                     size_t num_inputs, kiln_tensor **outputs);

#ifdef __cplusplus
}
#endif

#endif /* KILN_RUNTIME_C_H */
