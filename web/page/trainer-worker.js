// CNN Lab's training worker: hosts the engine's training Session (cnnlab_trainer.js/.wasm, built
// from web/trainer_worker/worker_main.cpp) off the page's main thread, so the page keeps drawing
// at full frame rate while a network trains. page/worker-client.js starts it (by URL, or from a
// same-origin blob: URL that importScripts() this file when the lab is on another origin than
// the page; so every URL it is given is absolute) and page/mount.js relays between it and the
// app.
//
// From the page:  {type: 'init', script, wasm, threads, note}  the glue's URL, the .wasm bytes,
//                                                         threads to train with (> 1: the
//                                                         threaded trainer's glue) and why
//                 {type: 'pack', command, bytes}          a dataset pack (command: {origin})
//                                                         or a saved model (command: {type:
//                                                         'loadModel', name}: model-file bytes)
//                 {type: 'dataBegin', command, size}      a dataset streamed as it downloads:
//                 {type: 'dataPiece', bytes}              its pieces in order (each copied
//                 {type: 'dataEnd'} | {type: 'dataAbort'}  into the heap and parsed at once)
//                 {type: 'upload', command, bytes}        a dataset the student brought: an
//                                                         image-folder .tar/.tar.gz or a pack
//                                                         (command: {name, channels, height,
//                                                         width}); decoded, fitted and packed
//                                                         here (TrainerHost::load_upload)
//                 {type: 'command', command}              JSON text: {"type": "train"}, ...
// To the page:    {type: 'ready', threads}                threads it trains with
//                 {type: 'report', json, heapBytes,       TrainerReport's JSON text; the size
//                  heapInUseBytes}                        of the trainer's wasm memory (it only
//                                                         grows: a high-water mark) and the
//                                                         bytes of its heap in use
//                 {type: 'dataset', bytes}                a loaded dataset's report (transferred;
//                                                         lab/dataset_report.h), before the
//                                                         report that says it is loaded
//                 {type: 'uploadPack', name, bytes}       an upload's dataset as a pack
//                                                         (transferred), before its 'dataset'
//                 {type: 'snapshot', bytes}               model-file bytes (transferred)
//                 {type: 'test', json, probs}             test results + (N, K) Float32Array
//                 {type: 'experimentSnapshot', config, bytes}  an experiment configuration's
//                                                         model-file bytes (transferred)
//                 {type: 'experimentEpoch', json, bytes}  a configuration's weights at its start
//                                                         or after an epoch: the note's JSON text
//                                                         (ExperimentEpochNote) and model-file
//                                                         bytes (transferred)
//                 {type: 'error', command, message}       a refused command or a failed slice
//                 {type: 'fatal', message}                the worker cannot go on
//
// Training runs in slices of about 50 ms; between slices the worker yields to its message queue
// (a MessageChannel post, which unlike setTimeout is not clamped to 4 ms), so Pause and the
// other commands take effect within one slice.
'use strict';

const SLICE_SECONDS = 0.05;

let module = null;
let threads = 0;     // threads the Session trains with (trainer_start)
let running = false;
const queued = [];  // messages that arrived before the wasm was ready

// Warming up (TrainerHost::warm_up): a second after a dataset arrives, while nothing else runs,
// a few training steps on a throw-away model in short slices, so that the browser has compiled
// the engine's hot functions optimised before the student's first epoch rather than during it.
const WARM_UP_DELAY_MS = 1000;
const WARM_UP_SLICE_SECONDS = 0.03;
let warmUpTimer = 0;

function scheduleWarmUp() {
  clearTimeout(warmUpTimer);
  warmUpTimer = setTimeout(warmUp, WARM_UP_DELAY_MS);
}

function warmUp() {
  warmUpTimer = 0;
  if (running) return;  // the student's run warms up instead
  // A setTimeout between slices lets any message in first: a Train waits at most one slice.
  if (module._trainer_warm_up(WARM_UP_SLICE_SECONDS) > 0) warmUpTimer = setTimeout(warmUp, 0);
}

const channel = new MessageChannel();
channel.port1.onmessage = pump;
function schedule() { channel.port2.postMessage(null); }

function fatal(message) {
  running = false;
  self.postMessage({type: 'fatal', message: String(message)});
}

self.onmessage = (event) => {
  const message = event.data;
  if (message.type === 'init') {
    init(message);
  } else if (!module) {
    queued.push(message);
  } else {
    handle(message);
  }
};

async function init(message) {
  try {
    importScripts(message.script);
    if (typeof createCnnLabTrainer !== 'function') {
      throw new Error(`${message.script} did not define createCnnLabTrainer`);
    }
    module = await createCnnLabTrainer({
      // The threaded trainer starts its threads' Web Workers from here: they load the glue's
      // .worker.js and the glue itself by URL, and this worker's own location is page/ (or a
      // blob: URL).
      locateFile: (path) => new URL(path, message.script).href,
      mainScriptUrlOrBlob: message.script,
      // The compiled module goes to the threads' workers too (receiveInstance's second argument).
      // The factory resolves once they have instantiated it (PTHREAD_POOL_SIZE pre-starts them).
      instantiateWasm(imports, receiveInstance) {
        WebAssembly.instantiate(message.wasm, imports).then(
            (result) => receiveInstance(result.instance, result.module),
            (e) => fatal(`cnnlab_trainer.wasm is not a valid WebAssembly module: ${e.message}`));
        return {};
      },
      print: (text) => console.log(text),
      printErr: (text) => console.warn(text),
      onAbort: (what) => fatal(`The training worker stopped unexpectedly: ${what}`),
    });
    threads = module.ccall('trainer_start', 'number', ['number', 'string'],
                           [message.threads || 1, message.note || '']);
    if (!threads) throw new Error(module.ccall('trainer_last_error', 'string', [], []));
  } catch (e) {
    fatal(`The training worker could not start: ${e && e.message ? e.message : e}`);
    return;
  }
  self.postMessage({type: 'ready', threads});
  for (const m of queued.splice(0)) handle(m);
}

// The heap as it is now. In the threaded trainer another thread may grow the memory, and the
// module's own views (module.HEAPU8, ...) are renewed only when its JavaScript next touches them.
function heap(View) {
  return new View(module.wasmMemory ? module.wasmMemory.buffer : module.HEAPU8.buffer);
}

// The size of the trainer's wasm memory in bytes (state().memory.workerHeapBytes): it grows when
// the heap needs more and never shrinks, so it is a high-water mark (which a fragmented heap
// raises too); heapInUseBytes, what is allocated now, is what a leak raises.
function heapBytes() {
  return (module.wasmMemory ? module.wasmMemory.buffer : module.HEAPU8.buffer).byteLength;
}
function heapInUseBytes() {
  return module._trainer_heap_in_use ? module._trainer_heap_in_use() : null;
}

// Copies bytes into the trainer's heap for the duration of fn(ptr, size) and returns its result
// (an error message or ''); what names the bytes in the out-of-memory message.
function withBytesInHeap(bytes, what, fn) {
  const ptr = module._malloc(Math.max(1, bytes.length));
  if (!ptr) return `not enough memory in the training worker for a ${bytes.length}-byte ${what}`;
  try {
    heap(Uint8Array).set(bytes, ptr);
    return fn(ptr, bytes.length);
  } finally {
    module._free(ptr);
  }
}

// Pieces of a dataset are copied into the trainer's heap through one reused buffer of this size:
// a pack is parsed as it arrives, so the heap (which never shrinks) holds the dataset and one
// piece, never the whole file beside it.
const PIECE_BYTES = 4 << 20;

// A whole dataset file handed over at once: the same path as a streamed one, in one piece.
// Returns '' or the error message.
function feedDataset(bytes, origin) {
  const command = JSON.stringify({origin});
  const begun = handleDataMessage({type: 'dataBegin', command, size: bytes.length});
  const fed = begun || handleDataMessage({type: 'dataPiece', bytes});
  const ended = handleDataMessage({type: 'dataEnd'});  // after a refusal it only frees the buffer
  return begun || fed || ended;
}

// A dataset the student brought (an 'upload' message): decoded, checked and packed by the
// engine; the current dataset is replaced only when all of it is good. On success the pack goes
// to the page (to cache for a reload and to offer as a download) before the dataset's report.
// Returns '' or the error message (naming the file and why).
function loadUpload(command, bytes) {
  const name = String(command.name || 'dataset');
  const error = withBytesInHeap(bytes, `dataset ${name}`, (ptr, size) => module.ccall(
      'trainer_load_upload', 'string',
      ['number', 'number', 'string', 'number', 'number', 'number'],
      [ptr, size, name, command.channels | 0, command.height | 0, command.width | 0]));
  if (error) return error;
  const ptr = module._trainer_upload_pack();
  const size = module._trainer_upload_pack_size();
  const pack = heap(Uint8Array).slice(ptr, ptr + size);
  module._trainer_release_upload_pack();
  self.postMessage({type: 'uploadPack', name, bytes: pack}, [pack.buffer]);
  return '';
}

// A dataset arriving in pieces (dataBegin .. dataEnd): the heap buffer each piece is copied to,
// and whether the trainer refused it already (its remaining pieces are then dropped).
let incoming = null;

function endIncoming() {
  if (incoming && incoming.ptr) module._free(incoming.ptr);
  incoming = null;
}

// One message of a streamed dataset; returns '' or the error message (reported once).
function handleDataMessage(message) {
  if (message.type === 'dataBegin') {
    endIncoming();
    const origin = JSON.parse(message.command).origin || 'pack';
    const error = module.ccall('trainer_data_begin', 'string', ['number', 'string'],
                               [message.size, origin]);
    incoming = {ptr: error ? 0 : module._malloc(PIECE_BYTES), failed: !!error};
    if (!error && !incoming.ptr) {
      incoming.failed = true;
      return `not enough memory in the training worker to receive a ${message.size}-byte dataset`;
    }
    return error;
  }
  if (message.type === 'dataPiece') {
    if (!incoming || incoming.failed) return '';  // refused already: the rest is dropped
    const bytes = message.bytes;
    for (let at = 0; at < bytes.length; at += PIECE_BYTES) {
      const piece = bytes.subarray(at, Math.min(bytes.length, at + PIECE_BYTES));
      heap(Uint8Array).set(piece, incoming.ptr);
      const error = module.ccall('trainer_data_feed', 'string', ['number', 'number'],
                                 [incoming.ptr, piece.length]);
      if (error) {
        incoming.failed = true;
        return error;
      }
    }
    return '';
  }
  if (message.type === 'dataEnd') {
    const error = incoming && !incoming.failed
        ? module.ccall('trainer_data_finish', 'string', [], []) : '';
    endIncoming();
    return error;
  }
  module.ccall('trainer_data_abort', 'string', [], []);  // dataAbort: the download failed
  endIncoming();
  return '';
}

function handle(message) {
  if (message.type === 'dataPiece') {
    // Pieces arrive by the thousand: no report after each.
    let error;
    try {
      error = handleDataMessage(message);
    } catch (e) {
      if (incoming) incoming.failed = true;
      error = e && e.message ? e.message : String(e);
    }
    if (error) self.postMessage({type: 'error', command: 'pack', message: error});
    return;
  }
  let error = '';
  let what = message.type;
  try {
    if (message.type === 'pack' && JSON.parse(message.command).type === 'loadModel') {
      what = 'loadModel';
      const name = JSON.parse(message.command).name || 'model file';
      error = withBytesInHeap(message.bytes, 'model file', (ptr, size) => module.ccall(
          'trainer_load_model', 'string', ['number', 'number', 'string'], [ptr, size, name]));
    } else if (message.type === 'upload') {
      error = loadUpload(JSON.parse(message.command), message.bytes);
      message.bytes = null;
      if (!error) scheduleWarmUp();
    } else if (message.type === 'pack') {
      error = feedDataset(message.bytes, JSON.parse(message.command).origin || 'pack');
      message.bytes = null;  // the file's bytes are garbage now: only the dataset remains
      if (!error) scheduleWarmUp();
    } else if (message.type.startsWith('data')) {
      what = 'pack';
      error = handleDataMessage(message);
      if (!error && message.type === 'dataEnd') scheduleWarmUp();
    } else if (message.type === 'command') {
      what = JSON.parse(message.command).type;
      error = module.ccall('trainer_handle', 'string', ['string'], [message.command]);
    } else {
      error = `unknown message type '${message.type}'`;
    }
  } catch (e) {
    error = e && e.message ? e.message : String(e);
  }
  if (error) self.postMessage({type: 'error', command: what, message: error});
  publish(true);
  if (!running && module._trainer_busy()) {
    running = true;
    schedule();
  }
}

function pump() {
  if (!running) return;
  let more;
  try {
    more = module._trainer_tick(SLICE_SECONDS);
  } catch (e) {
    fatal(`The training worker stopped unexpectedly: ${e && e.message ? e.message : e}`);
    return;
  }
  if (more < 0) {
    self.postMessage({type: 'error', command: 'train',
                      message: module.ccall('trainer_last_error', 'string', [], [])});
  }
  publish(more <= 0);
  if (more > 0) {
    schedule();
  } else {
    running = false;
  }
}

// Posts what changed: the report, then (when due) the weights and the test results.
function publish(force) {
  const json = module.ccall('trainer_poll', 'string', ['number'], [force ? 1 : 0]);
  const flags = module._trainer_poll_flags();
  if (flags & 8) {
    const ptr = module._trainer_dataset_report();
    const size = module._trainer_dataset_report_size();
    if (size > 0) {
      const bytes = heap(Uint8Array).slice(ptr, ptr + size);
      module._trainer_release_dataset_report();
      self.postMessage({type: 'dataset', bytes}, [bytes.buffer]);
    } else {
      self.postMessage({type: 'error', command: 'pack',
                        message: module.ccall('trainer_last_error', 'string', [], [])});
    }
  }
  if (json) {
    self.postMessage({type: 'report', json, heapBytes: heapBytes(),
                      heapInUseBytes: heapInUseBytes()});
  } else {
    self.postMessage({type: 'error', command: 'report',
                      message: module.ccall('trainer_last_error', 'string', [], [])});
  }
  if (flags & 1) {
    const ptr = module._trainer_snapshot();
    const size = module._trainer_snapshot_size();
    if (size > 0) {
      const bytes = heap(Uint8Array).slice(ptr, ptr + size);
      self.postMessage({type: 'snapshot', bytes}, [bytes.buffer]);
    }
  }
  if (flags & 4) {
    const configs = module._trainer_experiment_configs();
    for (let c = 0; c < configs; ++c) {
      const ptr = module._trainer_experiment_snapshot(c);
      const size = module._trainer_snapshot_size();
      if (size > 0) {
        const bytes = heap(Uint8Array).slice(ptr, ptr + size);
        self.postMessage({type: 'experimentSnapshot', config: c, bytes}, [bytes.buffer]);
      }
    }
  }
  // Every configuration's weights at its start and epoch ends (the experiment's snapshots):
  // noted as they happen, posted at the next publish.
  const epochs = module._trainer_experiment_epochs_take();
  for (let i = 0; i < epochs; ++i) {
    const json = module.ccall('trainer_experiment_epoch_note', 'string', ['number'], [i]);
    const ptr = module._trainer_experiment_epoch_file(i);
    const size = module._trainer_snapshot_size();
    if (size > 0) {
      const bytes = heap(Uint8Array).slice(ptr, ptr + size);
      self.postMessage({type: 'experimentEpoch', json, bytes}, [bytes.buffer]);
    }
  }
  if (flags & 2) {
    const results = module.ccall('trainer_test_results', 'string', [], []);
    const ptr = module._trainer_test_probabilities();
    const count = module._trainer_test_probability_count();
    const probs = ptr ? heap(Float32Array).slice(ptr >> 2, (ptr >> 2) + count) : new Float32Array(0);
    self.postMessage({type: 'test', json: results, probs}, [probs.buffer]);
  }
}
