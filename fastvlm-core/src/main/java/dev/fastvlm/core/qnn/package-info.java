/**
 * The QNN C API in this process, through JNA: {@link dev.fastvlm.core.qnn.NativeQnnGraph} loads
 * {@code libQnnHtp.so} and {@code libQnnSystem.so} once, creates the backend, device and context from
 * a memory-mapped context binary, and executes its graph on client buffers (the in-process vision
 * engine). Not exported: the pipeline chooses it with {@code VisionEngine.IN_PROCESS}.
 */
package dev.fastvlm.core.qnn;
