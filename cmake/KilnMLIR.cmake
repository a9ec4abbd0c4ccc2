# Finds LLVM/MLIR 22 and sets up TableGen the way MLIR's out-of-tree
# "standalone" example does. Kiln links the shared libMLIR.so/libLLVM.so
# (Debian ships both): links stay fast and every tool shares one copy.
find_package(MLIR REQUIRED CONFIG
  HINTS /usr/lib/llvm-22/lib/cmake/mlir)
if(NOT LLVM_VERSION_MAJOR EQUAL 22)
  message(FATAL_ERROR "Kiln needs LLVM/MLIR 22, found ${LLVM_PACKAGE_VERSION}")
endif()
message(STATUS "Using MLIR ${LLVM_PACKAGE_VERSION} in ${MLIR_DIR}")

set(LLVM_RUNTIME_OUTPUT_INTDIR ${CMAKE_BINARY_DIR}/bin)
set(LLVM_LIBRARY_OUTPUT_INTDIR ${CMAKE_BINARY_DIR}/lib)
set(MLIR_BINARY_DIR ${CMAKE_BINARY_DIR})
list(APPEND CMAKE_MODULE_PATH "${MLIR_CMAKE_DIR}" "${LLVM_CMAKE_DIR}")
include(TableGen)
include(AddLLVM)
include(AddMLIR)
# TableGen finds MLIR's .td files through the directory's include path.
include_directories(SYSTEM ${LLVM_INCLUDE_DIRS} ${MLIR_INCLUDE_DIRS})

# HandleLLVMOptions would impose LLVM's warning set on every target; we only
# need LLVM's definitions and its no-RTTI setting for code using MLIR.
separate_arguments(KILN_LLVM_DEFINITIONS NATIVE_COMMAND ${LLVM_DEFINITIONS})

find_package(ONNX REQUIRED CONFIG)
find_package(Protobuf REQUIRED)

# The tools used by the tests and the artifact linker.
set(KILN_LLVM_TOOLS_DIR ${LLVM_TOOLS_BINARY_DIR})
find_program(KILN_LINKER NAMES clang-22 clang cc
  HINTS ${LLVM_TOOLS_BINARY_DIR} REQUIRED)
message(STATUS "Artifacts are linked with ${KILN_LINKER}")

# Every library that includes MLIR headers goes through this.
function(kiln_mlir_target target)
  target_include_directories(${target} SYSTEM PUBLIC
    ${LLVM_INCLUDE_DIRS} ${MLIR_INCLUDE_DIRS})
  target_include_directories(${target} PUBLIC
    ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR}/include)
  target_compile_definitions(${target} PUBLIC ${KILN_LLVM_DEFINITIONS})
  if(NOT LLVM_ENABLE_RTTI)
    target_compile_options(${target} PRIVATE -fno-rtti)
  endif()
  target_link_libraries(${target} PUBLIC MLIR LLVM)
endfunction()
