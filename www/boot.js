// Loaded early as an async module by index.html: starts compiling the wasm module while the
// page's other scripts are still loading. main.js imports it (the same module instance, run
// once) and hands the compiled module to the wasm-bindgen init; on any failure here main.js
// lets the init fetch and compile the module itself.
export const wasmModule = typeof WebAssembly === 'object' && WebAssembly.compileStreaming
  ? WebAssembly.compileStreaming(fetch(new URL('pkg/zkafka_sandbox_bg.wasm', import.meta.url))).catch(() => null)
  : Promise.resolve(null);
