//===- CApi.cpp - the runtime's C API over Session ------------------------===//
#include "kiln/Runtime.h"
#include "kiln/kiln_runtime.h"

#include <exception>

struct kiln_session {
  std::unique_ptr<kiln::Session> session;
};

struct kiln_tensor {
  kiln::Tensor tensor;
};

namespace {
thread_local std::string lastError;

int fail(std::string message) {
  lastError = std::move(message);
  return 1;
}
} // namespace

extern "C" {

const char *kiln_last_error(void) { return lastError.c_str(); }

int kiln_session_open(const char *path, kiln_session **out) {
  if (!path || !out)
    return fail("kiln_session_open: null argument");
  auto session = kiln::Session::open(path);
  if (!session)
    return fail(session.status().message());
  *out = new kiln_session{session.take()};
  return 0;
}

void kiln_session_close(kiln_session *session) { delete session; }

size_t kiln_session_num_inputs(const kiln_session *s) {
  return s->session->inputs().size();
}
size_t kiln_session_num_outputs(const kiln_session *s) {
  return s->session->outputs().size();
}
const char *kiln_session_input_name(const kiln_session *s, size_t i) {
  return i < s->session->inputs().size() ? s->session->inputs()[i].name.c_str()
                                         : nullptr;
}
const char *kiln_session_output_name(const kiln_session *s, size_t i) {
  return i < s->session->outputs().size()
             ? s->session->outputs()[i].name.c_str()
             : nullptr;
}
int kiln_session_input_dtype(const kiln_session *s, size_t i) {
  return i < s->session->inputs().size() ? int(s->session->inputs()[i].dtype)
                                         : 0;
}

kiln_tensor *kiln_tensor_wrap(int dtype, const int64_t *shape, size_t rank,
                              void *data) {
  auto t = kiln::dtypeFromOnnx(dtype);
  if (!t) {
    fail("kiln_tensor_wrap: unsupported element type " + std::to_string(dtype));
    return nullptr;
  }
  return new kiln_tensor{
      kiln::Tensor::wrap(*t, std::vector<int64_t>(shape, shape + rank), data)};
}

void kiln_tensor_free(kiln_tensor *t) { delete t; }
int kiln_tensor_dtype(const kiln_tensor *t) { return int(t->tensor.dtype()); }
size_t kiln_tensor_rank(const kiln_tensor *t) { return t->tensor.shape().size(); }
const int64_t *kiln_tensor_shape(const kiln_tensor *t) {
  return t->tensor.shape().data();
}
void *kiln_tensor_data(kiln_tensor *t) { return t->tensor.data(); }

int kiln_session_run(kiln_session *s, kiln_tensor *const *inputs,
                     size_t numInputs, kiln_tensor **outputs) {
  if (!s || (numInputs && !inputs) || !outputs)
    return fail("kiln_session_run: null argument");
  try {
    std::vector<kiln::Tensor> in;
    for (size_t i = 0; i < numInputs; ++i)
      in.push_back(inputs[i]->tensor);
    auto out = s->session->run(in);
    if (!out)
      return fail(out.status().message());
    for (size_t i = 0; i < out->size(); ++i)
      outputs[i] = new kiln_tensor{(*out)[i]};
    return 0;
  } catch (const std::exception &e) {
    return fail(std::string("kiln_session_run: ") + e.what());
  }
}

} // extern "C"
