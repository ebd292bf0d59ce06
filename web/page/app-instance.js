// One wasm instance of the app (cnnlab_app.js/.wasm, MODULARIZE'd as createCnnLabModule): starting
// it on a canvas, and every call into it. The C functions called here are defined in
// web/platform/platform_web.cpp (cnnlab_*); the hooks it calls back (Module.cnnlab*) are the
// `hooks` given to startApp. Strings cross as JSON text; bytes are copied into the app's heap for
// the duration of one call.
//
// [SECTION] Keys typed into this lab only
// [SECTION] The instance: starting it, calls into it

import { formatBytes, loadScript } from './downloads.js';

// ---- [SECTION] Keys typed into this lab only ---------------------------------------------------

// Emscripten's GLFW listens for keys on the whole window and cancels Backspace and Tab there:
// with several labs on a page, or a course page's own text fields, a lab must only take the
// keys typed into its own canvas. Its listeners are added while the instance starts (main runs
// inside receiveInstance), so keydown/keypress listeners added during start() are wrapped.
// (keyup passes to every lab: a key released elsewhere must not stay pressed.) Tab is the
// page's own too, so that a keyboard user can leave the lab, unless the app is editing a text
// field (editingText()), where Tab moves between its fields and Ctrl+A selects the field's text
// (not the whole page's).
function keysOnlyFrom(canvas, editingText, start) {
  const original = window.addEventListener;
  window.addEventListener = function (type, listener, options) {
    if ((type === 'keydown' || type === 'keypress') && typeof listener === 'function') {
      const inner = listener;
      listener = function (event) {
        if (event.target !== canvas) return undefined;
        if (event.key === 'Tab' && !editingText()) return undefined;
        // Ctrl+A in one of the app's text fields selects that field's text, not the page's.
        if (type === 'keydown' && editingText() && (event.ctrlKey || event.metaKey) &&
            event.key.toLowerCase() === 'a') event.preventDefault();
        return inner.call(this, event);
      };
    }
    return original.call(this, type, listener, options);
  };
  try {
    return start();
  } finally {
    window.addEventListener = original;
  }
}

// ---- [SECTION] The instance: starting it, calls into it ---------------------------------------

export class AppInstance {
  constructor() { this.module = null; }  // the Emscripten module object, once start() began

  // Starts the app from the site base: its glue script, the downloaded wasm and font bytes,
  // drawing on canvas. wasmModule: a promise of the wasm already compiled as it downloaded
  // (WebAssembly.compileStreaming), or of null: then wasmBytes are compiled here. hooks: the Module.cnnlab* functions the app calls (cnnlabOnReady,
  // cnnlabPostToTrainer, ...; they may be called before this resolves); log(text, isError): its
  // output; onStarted(): its runtime runs (a retry must then reload the page); onFailure(Error):
  // it could not start or stopped. Resolves once the factory returned.
  async start({base, canvas, wasmBytes, wasmModule = null, fontBytes, hooks, log, onStarted,
               onFailure}) {
    await loadScript(base + 'cnnlab_app.js');
    if (typeof createCnnLabModule !== 'function') {
      throw new Error(`${base}cnnlab_app.js did not define createCnnLabModule.`);
    }
    const instance = this;  // (`this` inside instantiateWasm below is the module object)
    const moduleOptions = Object.assign({
      canvas,
      print: (text) => log(text, false),
      printErr: (text) => log(text, true),
      instantiateWasm(imports, receiveInstance) {
        Promise.resolve(wasmModule).then((compiled) => (compiled
            ? WebAssembly.instantiate(compiled, imports).then((made) => ({instance: made, module: compiled}))
            : WebAssembly.instantiate(wasmBytes, imports))).then(
            (result) => keysOnlyFrom(canvas, () => instance.editingText(),
                                   () => receiveInstance(result.instance, result.module)),
            (e) => onFailure(new Error(`cnnlab_app.wasm is not a valid WebAssembly module for this page: ${e.message}`)));
        return {};
      },
      // From here on this instance owns the canvas and window listeners.
      onRuntimeInitialized: () => onStarted(),
      preRun: [() => {
        moduleOptions.FS.mkdir('/fonts');
        moduleOptions.FS.writeFile('/fonts/DejaVuSans.ttf', fontBytes);
      }],
      onAbort: (what) => onFailure(new Error(`The app stopped unexpectedly: ${what}`)),
    }, hooks);
    this.module = moduleOptions;  // the factory fills this same object in
    await createCnnLabModule(moduleOptions);
  }

  // True once the runtime is up (ccall exists): calls may be made.
  get callable() { return Boolean(this.module && this.module.ccall); }

  // Whether a text field of the app is being edited (its keys, Tab included, are the app's).
  editingText() {
    return this.callable && this.module._cnnlab_wants_text_input() === 1;
  }

  call(name, returnType, argTypes, args) {
    return this.module.ccall(name, returnType, argTypes, args);
  }

  // Copies bytes (a typed array) into the app's heap for the duration of fn(ptr) and returns its
  // result. Reads HEAPU8 after malloc: memory growth replaces it.
  withHeapCopy(bytes, fn) {
    const module = this.module;
    const ptr = module._malloc(Math.max(1, bytes.byteLength));
    if (!ptr) throw new Error(`not enough memory for ${formatBytes(bytes.byteLength)}`);
    try {
      module.HEAPU8.set(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), ptr);
      return fn(ptr);
    } finally {
      module._free(ptr);
    }
  }

  // The app's memory: {heapBytes, heapInUseBytes, snapshotBytes}. heapBytes, the size of its wasm
  // memory, grows when the heap needs more and never shrinks (a high-water mark, which a
  // fragmented heap raises too); heapInUseBytes, what is allocated now, is what a leak raises;
  // snapshotBytes, the part of it the per-epoch snapshot stores hold (each within its budget).
  memory() {
    const module = this.module;
    return {
      heapBytes: (module.wasmMemory ? module.wasmMemory.buffer : module.HEAPU8.buffer).byteLength,
      heapInUseBytes: module._cnnlab_heap_in_use ? module._cnnlab_heap_in_use() : null,
      snapshotBytes: module._cnnlab_snapshot_bytes ? module._cnnlab_snapshot_bytes() : null,
    };
  }

  // The JSON objects behind api.state() and api.history().
  state() { return JSON.parse(this.call('cnnlab_state_json', 'string', [], [])); }
  history() { return JSON.parse(this.call('cnnlab_history_json', 'string', [], [])); }

  // A call with one text argument that returns "" or the app's reason for refusing it.
  callWithText(name, text) { return this.call(name, 'string', ['string'], [text]); }

  // Each returns "" or why it was refused (the app's own message, naming the option).
  configure(values) { return this.callWithText('cnnlab_configure', JSON.stringify(values)); }
  setUi(values) { return this.callWithText('cnnlab_set_ui', JSON.stringify(values)); }
  setSubsets(manifestText) { return this.callWithText('cnnlab_set_subsets', manifestText); }
  command(name) { return this.callWithText('cnnlab_command', name); }
  experiment(options) { return this.callWithText('cnnlab_experiment', JSON.stringify(options)); }

  setDataStatus(text) { this.call('cnnlab_set_data_status', null, ['string'], [text]); }
  // The notice at the bottom of the lab that reports file actions (error: red until closed).
  filesNotice(text, error) {
    this.call('cnnlab_files_notice', null, ['string', 'number'], [text, error ? 1 : 0]);
  }
  // The File menu's choice of input size for your own datasets: '32x32' or '28x28-grey'.
  datasetInput() { return this.call('cnnlab_dataset_input', 'string', [], []); }
  selectTab(name) { return Boolean(this.call('cnnlab_select_tab', 'number', ['string'], [name])); }

  // kind: 'model', 'photo' or 'auto' (decided by the first bytes); "" or why not.
  openFile(kind, bytes, name) {
    return this.withHeapCopy(bytes, (ptr) => this.call(
        'cnnlab_open_file', 'string', ['string', 'number', 'number', 'string'],
        [kind, ptr, bytes.byteLength, name]));
  }

  // A file the app prepared ('model', 'npz', 'csv', 'json'): {bytes, name}; throws why not.
  exportFile(what) {
    const error = this.call('cnnlab_export_file', 'string', ['string'], [what]);
    if (error) throw new Error(error);
    const ptr = this.module._cnnlab_file_data();
    const bytes = this.module.HEAPU8.slice(ptr, ptr + this.module._cnnlab_file_size());
    return {bytes, name: this.call('cnnlab_file_name', 'string', [], [])};
  }

  photo() { return JSON.parse(this.call('cnnlab_photo_json', 'string', [], [])); }

  // Time travel: the kept epoch snapshots [{run, epochs}], and showing one (run 0: the latest);
  // showEpoch returns "" or why not.
  snapshots() { return JSON.parse(this.call('cnnlab_snapshots_json', 'string', [], [])); }
  showEpoch(run, epoch) {
    return this.call('cnnlab_show_epoch', 'string', ['number', 'number'], [run, epoch]);
  }
  // The experiment's kept epochs [{config, label, epochs}], and showing one in its side-by-side
  // maps (epoch -1: the latest); showExperimentEpoch returns "" or why not.
  experimentSnapshots() {
    return JSON.parse(this.call('cnnlab_experiment_snapshots_json', 'string', [], []));
  }
  showExperimentEpoch(epoch) {
    return this.call('cnnlab_show_experiment_epoch', 'string', ['number'], [epoch]);
  }

  // One output pixel worked out by hand: {explanation} or {error} (the app's reason).
  explainPixel(request) {
    const text = JSON.stringify(request === undefined ? null : request);
    return JSON.parse(this.callWithText('cnnlab_explain_pixel', text === undefined ? 'null' : text));
  }

  // An attribution map of the shown image: {map} or {error} (the app's reason).
  saliency(request) {
    const text = JSON.stringify(request === undefined ? {} : request);
    return JSON.parse(this.callWithText('cnnlab_saliency', text === undefined ? 'null' : text));
  }

  // Lessons (the Guide tab); each returns "" or why not. A lesson file's text crosses as bytes.
  openLesson(id) { return this.callWithText('cnnlab_open_lesson', id); }
  openLessonText(bytes, name) {
    return this.withHeapCopy(bytes, (ptr) => this.call(
        'cnnlab_open_lesson_text', 'string', ['number', 'number', 'string'], [ptr, bytes.byteLength, name]));
  }
  goToStep(step) { return this.call('cnnlab_guide_go_to', 'string', ['number'], [step]); }
  setUpStep() { return this.call('cnnlab_guide_set_up', 'string', [], []); }

  // The experiment's results as text ({text} or {error}); 'png' draws the plots and calls
  // onPng(name, blob) when they are ready.
  experimentExport(format) {
    return JSON.parse(this.callWithText('cnnlab_experiment_export', String(format)));
  }
  set onPng(handler) { this.module.cnnlabOnPng = handler; }

  // A trainer failure for the app to show (fatal: the worker is gone, Retry restarts it).
  trainerError(message, fatal) {
    this.call('cnnlab_trainer_error', null, ['string', 'number'], [message, fatal ? 1 : 0]);
  }

  // A fresh training worker replaced one that died: the app hands it its settings and weights
  // once the dataset is back.
  trainerRestarted() {
    this.call('cnnlab_trainer_restarted', null, [], []);
  }

  // One message of the training worker (page/trainer-worker.js) handed to the app.
  deliverTrainerMessage(message) {
    if (message.type === 'dataset') {
      // The one dataset message the app gets: its report (lab/dataset_report.h), not the pack.
      this.withHeapCopy(message.bytes, (ptr) => this.call(
          'cnnlab_trainer_dataset', null, ['number', 'number'], [ptr, message.bytes.length]));
    } else if (message.type === 'report') {
      this.call('cnnlab_trainer_report', null, ['string'], [message.json]);
    } else if (message.type === 'snapshot') {
      this.withHeapCopy(message.bytes, (ptr) => this.call(
          'cnnlab_trainer_snapshot', null, ['number', 'number'], [ptr, message.bytes.length]));
    } else if (message.type === 'experimentSnapshot') {
      this.withHeapCopy(message.bytes, (ptr) => this.call(
          'cnnlab_trainer_experiment_snapshot', null, ['number', 'number', 'number'],
          [message.config, ptr, message.bytes.length]));
    } else if (message.type === 'experimentEpoch') {
      this.withHeapCopy(message.bytes, (ptr) => this.call(
          'cnnlab_trainer_experiment_epoch', null, ['string', 'number', 'number'],
          [message.json, ptr, message.bytes.length]));
    } else if (message.type === 'test') {
      this.withHeapCopy(message.probs, (ptr) => this.call(
          'cnnlab_trainer_test', null, ['string', 'number', 'number'],
          [message.json, ptr, message.probs.length]));
    } else if (message.type === 'error') {
      console.warn(`CNN Lab trainer (${message.command}): ${message.message}`);
      this.trainerError(message.message, false);
    }
  }
}
