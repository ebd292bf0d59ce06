// --pre-js of the node programs built with Emscripten (tests, cnnlab.js): their getenv() sees only
// Emscripten's default environment, so copy the host's (CNNLAB_CIFAR10, TMPDIR, ...) in before
// main() runs. Does nothing in a browser.
if (typeof process === 'object' && process.env) {
  Module['preRun'] = [].concat(Module['preRun'] || [], function () {
    if (typeof ENV === 'object') Object.assign(ENV, process.env);
  });
}
