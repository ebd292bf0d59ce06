// The worker client: chooses, starts and talks to a lab's training worker (page/trainer-worker.js
// hosting cnnlab_trainer.wasm; its message formats are listed at its top). The app posts
// commands through it (Module.cnnlabPostToTrainer, web/platform/platform_web.cpp); what the
// worker sends back goes to the lab (mount.js), which hands it to the app (app-instance.js).
//
// From another origin: a page may start a Web Worker only from its own origin, so when the lab's
// site is elsewhere (a <cnn-lab> on a course site) the worker starts from a same-origin blob:
// URL whose one line importScripts() the site's trainer-worker.js by its absolute URL (classic
// scripts load across origins); that script then loads the trainer's glue by absolute URL too,
// and the .wasm bytes come from the page (downloaded with CORS like the app's).
//
// [SECTION] Which trainer
// [SECTION] The worker

// ---- [SECTION] Which trainer --------------------------------------------------------------------

// Which trainer a lab on site base runs: {script, wasm, threads, note}. The threaded one when the
// page is cross-origin isolated (only then does it have shared memory for wasm threads), the
// site is the page's own origin (its threads start Web Workers by URL) and the site has it
// (trainer.json, made by the build; asked for only then: readText(url) gives its text or null);
// else the single-threaded one, which works on any page.
export async function chooseTrainer(base, readText) {
  const single = (note) => ({script: 'cnnlab_trainer.js', wasm: 'cnnlab_trainer.wasm',
                             threads: 1, note});
  if (self.crossOriginIsolated !== true || typeof SharedArrayBuffer !== 'function') {
    return single('the page is not cross-origin isolated');
  }
  if (new URL(base).origin !== location.origin) {
    return single('the lab is on another origin than the page');
  }
  let threaded = null;
  try {
    const text = await readText(base + 'trainer.json');
    threaded = text ? JSON.parse(text).threaded : null;
  } catch (e) {
    threaded = null;  // an unreadable file: the single-threaded trainer
  }
  if (!threaded || typeof threaded.script !== 'string' || typeof threaded.wasm !== 'string' ||
      !(threaded.threads > 1)) {
    return single('this site has no threaded trainer');
  }
  return {script: threaded.script, wasm: threaded.wasm, threads: threaded.threads,
          note: 'cross-origin isolated page'};
}

// ---- [SECTION] The worker -----------------------------------------------------------------------

// A Worker running scriptUrl: directly when it is on the page's origin, else through a blob: URL
// (revoked once the worker has read it, i.e. at its first message or error).
function startWorker(scriptUrl) {
  if (new URL(scriptUrl).origin === location.origin) return {worker: new Worker(scriptUrl)};
  const source = `importScripts(${JSON.stringify(scriptUrl)});\n`;
  const blobUrl = URL.createObjectURL(new Blob([source], {type: 'text/javascript'}));
  return {worker: new Worker(blobUrl), blobUrl};
}

export class TrainerClient {
  // base: the lab's site; onMessage(message): every message of the worker but 'fatal' (in
  // order); onFailure(text): the worker failed to load or stopped.
  constructor({base, onMessage, onFailure}) {
    this.base = base;
    this.onMessage = onMessage;
    this.onFailure = onFailure;
    this.worker = null;
    this.wasm = null;     // a copy of the trainer's wasm bytes and the choice: what restart() needs
    this.choice = null;
  }

  get started() { return this.worker !== null; }

  // Starts the worker with the trainer's wasm bytes (downloaded with the app's progress; they
  // are transferred). Commands posted before it is ready wait in the worker's own queue. Throws
  // an Error saying why when the browser refuses to start it.
  start(wasmBytes, choice) {
    if (this.worker) return;
    this.wasm = wasmBytes.slice();  // about 1 MB, kept so a dead worker can be replaced
    this.choice = choice;
    const scriptUrl = this.base + 'page/trainer-worker.js';
    let started;
    try {
      started = startWorker(scriptUrl);
    } catch (e) {
      throw new Error(`Could not start the training worker (${scriptUrl}): ${e.message}`);
    }
    const worker = started.worker;
    const release = () => {
      if (started.blobUrl) URL.revokeObjectURL(started.blobUrl);
      started.blobUrl = null;
    };
    // A failure ends the worker for good: an uncaught error does not stop a Web Worker by
    // itself, and one that goes on (training, sending weights) after the app was told it died
    // would change the weights the app keeps (what Save model and the restart hand on) behind
    // the student's back. Nothing it sends afterwards is delivered.
    const failed = (text) => {
      if (this.worker !== worker) return;
      worker.terminate();
      this.worker = null;
      this.onFailure(text);
    };
    worker.onmessage = (event) => {
      release();
      if (this.worker !== worker) return;
      if (event.data && event.data.type === 'fatal') failed(event.data.message);
      else this.onMessage(event.data);
    };
    worker.onerror = (event) => {
      release();
      event.preventDefault();
      failed(`The training worker failed: ${event.message || `could not load ${scriptUrl}`}`);
    };
    worker.postMessage({type: 'init', script: this.base + choice.script, wasm: wasmBytes,
                        threads: choice.threads, note: choice.note}, [wasmBytes.buffer]);
    this.worker = worker;
  }

  // Replaces a worker that died (or stopped answering) with a fresh one running the same
  // trainer. It starts empty: the caller hands it the dataset again, and the app its settings
  // and last weights. False when there was never a worker to replace.
  restart() {
    if (!this.wasm) return false;
    if (this.worker) this.worker.terminate();
    this.worker = null;
    this.start(this.wasm, this.choice);
    return true;
  }

  // A command for the trainer (JSON text: {"type": "train"}, ...).
  postCommand(command) {
    if (this.worker) this.worker.postMessage({type: 'command', command});
  }

  // A dataset streamed to the trainer as it downloads, for fetchDataset's sink: begin(size),
  // piece(bytes) for each piece in order, end(), or abort() to drop it. The worker reads a pack
  // as it arrives, so no copy of the whole file exists anywhere in the page. Each piece is
  // transferred (a piece that is a view into a larger buffer is copied first): the page and the
  // worker never both hold it.
  datasetStream(origin) {
    const post = (message, transfer = []) => {
      if (this.worker) this.worker.postMessage(message, transfer);
    };
    return {
      begin: (size) => post({type: 'dataBegin', command: JSON.stringify({origin}), size}),
      piece: (bytes) => {
        const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
            ? bytes : bytes.slice();
        post({type: 'dataPiece', bytes: whole}, [whole.buffer]);
      },
      end: () => post({type: 'dataEnd'}),
      abort: () => post({type: 'dataAbort'}),
    };
  }

  // A dataset the student brought (an image-folder .tar/.tar.gz, a zip already made a tar, or a
  // pack; command {name, channels, height, width}): transferred, not copied. The worker answers
  // 'uploadPack' then 'dataset', or 'error' with command 'upload'.
  handOverUpload(command, bytes) {
    if (this.worker) this.worker.postMessage({type: 'upload', command, bytes}, [bytes.buffer]);
  }

  // THE hand-off of a whole file's bytes to the trainer: a dataset pack (command {origin}) or a
  // saved model (command {type: 'loadModel', name}). The bytes are transferred, not copied: bytes
  // (its whole buffer) is unusable here afterwards.
  handOverPack(command, bytes) {
    if (this.worker) this.worker.postMessage({type: 'pack', command, bytes}, [bytes.buffer]);
  }
}
