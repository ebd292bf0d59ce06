// The lab's JavaScript API: the object CNNLab.mount returns and <cnn-lab>'s `lab` property (the
// same object). web/README.md ("JavaScript API") documents every member; in short:
//
//   await lab.ready;          // resolves once the app runs, its dataset is loaded and the
//                             // trainer reported the page's settings (state().model is
//                             // theirs); stays pending through failures (phase 'error')
//   lab.state();              // {phase, error, loading, dataset, model, epoch, step, ...}
//   await lab.configure({model: 'cnn', kernel: 5, epochs: 1, subset: '1k'});  // rejects: why
//   lab.train(); lab.pause(); lab.step(); lab.reset();  // throw an Error when refused
//   lab.history(); lab.experiment({...}); lab.results(); lab.link(); lab.on('epoch', fn);
//   await lab.saveModel(); await lab.loadModel(bytes); await lab.classifyImage(png);
//   await lab.loadDataset(zipBytes, 'pets.zip'); await lab.downloadDataset();
//   await lab.webcam();       // the Webcam classes panel: record classes, train, live guess
//
// Every member works on the Lab (mount.js) it was made for; the app's side of each call is in
// app-instance.js.

import { fileBytes, openUserFile } from './files.js';
import { fetchLesson } from './lessons.js';
import { UI_KEYS, linkFor, packFor } from './options.js';
import { isUploadUrl } from './uploads.js';

// state() before the app runs: every field the app reports, unknown.
function loadingState() {
  return {
    phase: 'loading', error: null, dataset: null, model: null, epoch: null, step: null,
    trainLoss: null, trainAcc: null, valLoss: null, valAcc: null, testAcc: null,
    imagesPerSecond: null, fps: null, memory: null,
  };
}

// state().memory: the app's and the training worker's wasm memory (each only grows: a high-water
// mark), the bytes of their heaps in use (what a leak raises) and the part of the app's the
// per-epoch snapshots hold (bounded by their budgets); null where not known yet.
function memoryState(lab) {
  const app = lab.app.memory();
  const worker = lab.workerMemory || {heapBytes: null, heapInUseBytes: null};
  return {appHeapBytes: app.heapBytes, appHeapInUseBytes: app.heapInUseBytes,
          appSnapshotBytes: app.snapshotBytes,
          workerHeapBytes: worker.heapBytes, workerHeapInUseBytes: worker.heapInUseBytes};
}

function requireObject(what, options) {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new Error(`${what}: options must be an object, got ${JSON.stringify(options)}`);
  }
}

export function createApi(lab) {
  // train, pause, step, reset, clearHistory, stopExperiment, resumeExperiment: throws an Error
  // when refused.
  const command = (name) => {
    lab.requireRunning();
    const error = lab.app.command(name);
    if (error) throw new Error(error);
  };
  const exportFile = (what) => {
    lab.requireRunning();
    return lab.app.exportFile(what);
  };
  const openFile = (kind, bytes, name) => {
    lab.requireRunning();
    openUserFile(lab.app, kind, bytes, name);
  };

  const api = {
    ready: lab.ready,
    // A plain object; accuracies are fractions, unknown values null.
    state() {
      let state = null;
      if (lab.appRunning && lab.app.callable) {
        try {
          state = lab.app.state();
        } catch (e) {
          state = null;  // the instance aborted: onAbort has reported it
        }
      }
      if (!state) state = loadingState();
      else state.memory = memoryState(lab);
      if (lab.pagePhase === 'error') {
        state.phase = 'error';
        state.error = lab.pageError;
      } else if (lab.pagePhase !== 'running') {
        state.phase = 'loading';
      }
      state.loading = lab.pagePhase === 'running' ? null : Object.assign({}, lab.loading);
      state.pageNotice = lab.ui.noticeShown;
      // While the worker decodes a dataset the student brought: {decoded, total} images.
      state.decoding = lab.ui.decodingShown;
      state.webcam = lab.webcam ? lab.webcam.state() : null;
      return state;
    },
    // Applies training options (the engine checks them), the look (theme, panels, hide,
    // readOnly) and the data (dataset / subset switch the pack). Resolves with state() once
    // applied; rejects with an Error saying why (nothing is changed then).
    async configure(options) {
      lab.requireRunning();
      requireObject('configure', options);
      const rest = Object.assign({}, options);
      let pack = null;
      if ('dataset' in rest || 'subset' in rest) {
        pack = packFor(lab.manifest, lab.base, lab.datasetUrl, rest.dataset, rest.subset);
        delete rest.dataset;
        delete rest.subset;
      }
      const look = {};
      for (const key of UI_KEYS) {
        if (key in rest) {
          look[key] = rest[key];
          delete rest[key];
        }
      }
      if (Object.keys(rest).length) {
        const error = lab.app.configure(rest);
        if (error) throw new Error(error);
      }
      if (Object.keys(look).length) {
        const error = lab.app.setUi(look);
        if (error) throw new Error(error);
        if ('theme' in look) {
          lab.ui.setDark(look.theme === 'dark');
          lab.systemTheme = null;  // chosen: no longer the system's colour scheme's
        }
      }
      if (pack && pack !== lab.datasetUrl) await lab.loadDataset(pack);
      return api.state();
    },
    // Starts or resumes training (a finished run: a new one).
    train() { command('train'); },
    pause() { command('pause'); },
    // Exactly one training mini-batch, then paused.
    step() { command('step'); },
    // Fresh weights from the seed; the current run's curves stay in history().
    reset() { command('reset'); },
    // Forgets finished runs' curves (history() then holds the current run only).
    clearHistory() { command('clearHistory'); },
    // Every run (past and current) with its per-epoch records: [{run, label, options, epochs:
    // [{epoch, trainLoss, trainAcc, valLoss, valAcc, imagesPerSecond, seconds}], testAcc,
    // testLoss, testEpoch (the epoch whose weights were tested), testConfusion, stopReason}].
    history() {
      if (!lab.appRunning || !lab.app.callable) return [];
      return lab.app.history();
    },
    // The run log (the Runs tab): every finished run until clearRuns(), whatever changed since
    // (another preset, dataset, clearHistory()): [{number, source, dataset, model, settings,
    // options, epochs, testEpoch, status ('finished' | 'unfinished'), testAcc, testLoss,
    // testConfusion, stopReason}], oldest first.
    runs() {
      if (!lab.appRunning || !lab.app.callable) return [];
      return JSON.parse(new TextDecoder().decode(exportFile('runs-json').bytes)).runs;
    },
    // Clears the run log; undoClearRuns() brings it back until the next run starts (then it
    // throws an Error saying so).
    clearRuns() { command('clearRuns'); },
    undoClearRuns() { command('undoClearRuns'); },
    // The run log as 'csv' (a row per run) or 'json' ({format, version, runs}).
    exportRuns(format) {
      const kind = format === undefined ? 'csv' : format;
      if (kind !== 'csv' && kind !== 'json') {
        throw new Error(`exportRuns: format must be 'csv' or 'json', got ${JSON.stringify(format)}`);
      }
      return new TextDecoder().decode(exportFile(`runs-${kind}`).bytes);
    },
    // A controlled experiment ({vary, values, repeats} and any configure() option as the base).
    // Resolves with state() once started; rejects with the engine's reason for refusing it.
    experiment(options) {
      try {
        lab.requireRunning();
        requireObject('experiment', options);
      } catch (e) {
        return Promise.reject(e);
      }
      const error = lab.app.experiment(options);
      if (error) return Promise.reject(new Error(error));
      return Promise.resolve(api.state());
    },
    // Stops every run where it stands (results kept); pause() pauses an experiment too.
    stopExperiment() { command('stopExperiment'); },
    resumeExperiment() { command('resumeExperiment'); },
    // The experiment's state and results (null before one).
    results() { return api.state().experiment || null; },
    // 'csv', 'markdown' or 'json' resolve with the text; 'png' draws the plots, offers them as a
    // download and resolves with the PNG Blob. Rejects with an Error saying why not.
    exportExperiment(format) {
      try {
        lab.requireRunning();
      } catch (e) {
        return Promise.reject(e);
      }
      const result = lab.app.experimentExport(format);
      if (result.error) return Promise.reject(new Error(result.error));
      if (format !== 'png') return Promise.resolve(result.text);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          lab.app.onPng = null;
          reject(new Error('experiment export png: the plots were not drawn (is the lab visible?)'));
        }, 10000);
        lab.app.onPng = (name, blob) => {
          clearTimeout(timer);
          lab.app.onPng = null;
          resolve(blob);
        };
      });
    },
    // After the training worker died (state().phase 'error'): starts a new one, loads the
    // dataset again and restores the last weights and settings; resolves when it has the data.
    restartTrainer() {
      if (!lab.appRunning) return Promise.reject(new Error('the app is not running yet'));
      return lab.restartTrainer();
    },
    // Loads another dataset (a pack file URL, relative to the site); resolves when the app has
    // it, rejects with an Error saying what failed.
    loadPack(url) {
      if (!lab.appRunning) return Promise.reject(new Error('the app is not running yet'));
      return lab.loadDataset(new URL(url, lab.base).href);
    },
    // Loads a dataset the student brought: the bytes (Uint8Array or ArrayBuffer) of a .zip, .tar
    // or .tar.gz of an image folder (<class>/*, or train/<class>/* with optional test/<class>/*,
    // with or without one top-level folder) or of a .pack, named name; options.input '32x32'
    // (colour, default) or '28x28-grey'. Every image is decoded, centre-cropped and resized in the
    // training worker. Resolves with state() once state().dataset shows it (kept in the browser
    // for the next visit); rejects with an Error naming the file and why, the dataset and the
    // runs staying as they were. A string is a pack's URL (as loadPack).
    async loadDataset(bytesOrUrl, name, options) {
      lab.requireRunning();
      if (typeof bytesOrUrl === 'string') {
        await lab.loadDataset(new URL(bytesOrUrl, lab.base).href);
        return api.state();
      }
      if (options !== undefined) requireObject('loadDataset', options);
      await lab.loadUpload(fileBytes(bytesOrUrl, 'loadDataset'), String(name || 'dataset'),
                           options && 'input' in options ? options.input : undefined);
      return api.state();
    },
    // Opens the Webcam classes panel (File > Webcam classes...) and starts the camera; resolves
    // with state().webcam once the camera runs or the panel shows why it cannot (webcam.problem:
    // refused, none found, an insecure page). closeWebcam() hides it and releases the camera.
    async webcam() { return lab.openWebcam(); },
    closeWebcam() {
      if (lab.webcam) lab.webcam.close();
    },
    // The current dataset as a pack file (what File > Download dataset saves): {name, bytes}.
    async downloadDataset() {
      lab.requireRunning();
      return lab.downloadDataset();
    },
    // Opens a lesson in the Guide tab: a built-in lesson's id ('assignment', 'kernel-sees') or
    // the URL of a lesson file (docs/lessons.md; at most 1 MB). Resolves with state().guide;
    // rejects with an Error naming the file, line and field of what is wrong (the lesson open
    // before, if any, stays).
    async openLesson(idOrUrl) {
      lab.requireRunning();
      const what = String(idOrUrl || '');
      let error;
      if (/^[a-z0-9-]+$/.test(what)) {
        error = lab.app.openLesson(what);
      } else {
        const bytes = await fetchLesson(new URL(what, lab.base).href);
        error = lab.app.openLessonText(bytes, what.split('/').pop() || what);
      }
      if (error) throw new Error(error);
      return api.state().guide;
    },
    // Shows step n (1-based) of the open lesson; throws an Error why not.
    goToStep(n) {
      lab.requireRunning();
      const error = lab.app.goToStep(Number(n));
      if (error) throw new Error(error);
      return api.state().guide;
    },
    // The shown step's "Set it up for me" (what its button does); throws an Error why not.
    setUpStep() {
      lab.requireRunning();
      const error = lab.app.setUpStep();
      if (error) throw new Error(error);
      return api.state().guide;
    },
    // Brings a panel's tab to the front: 'guide', 'data', 'model', 'inside', 'explain' (Inside
    // the network > Explain one pixel), 'where' (> Where it looks), 'eval', 'runs' or 'experiment'.
    showPanel(name) {
      if (!lab.appRunning) throw new Error('the app is not running yet');
      if (!lab.app.selectTab(String(name))) {
        throw new Error(`unknown panel '${name}': expected guide, data, model, inside, explain, where, eval, runs or experiment`);
      }
    },
    // A URL of the site's index.html that opens a lab with this set-up.
    // A dataset the student brought is only in their browser: the link names no pack for it
    // (File > Download dataset makes a pack to host and link with ?pack=).
    link() {
      const packUrl = isUploadUrl(lab.base, lab.datasetUrl) ? null : lab.datasetUrl;
      return linkFor({state: api.state(), defaults: lab.defaultOptions, manifest: lab.manifest,
                      packUrl, base: lab.base, systemTheme: lab.systemTheme});
    },
    // What the menu bar's Copy link does; resolves with {url, copied}.
    copyLink() {
      lab.requireRunning();
      return lab.copyLink();
    },
    // Events (events.js): 'epoch', 'done', 'error', 'phase', 'link'. Returns a function that
    // stops the handler.
    on(type, handler) { return lab.events.on(type, handler); },
    // The options given to mount (or in the URL, or as attributes) that were not applied.
    get optionErrors() { return lab.optionErrors.slice(); },
    // Retries after a failure: downloads again, or reloads the page once an app instance ran.
    retry() { lab.retry(); },
    // The model as a model file (.cnnlab, with the lab's settings; while training, the latest
    // snapshot, at most ~1 s old).
    // saveModel({epochs: true}): the current run's kept epochs go in the file too.
    async saveModel(options) {
      if (options !== undefined && (options === null || typeof options !== 'object')) {
        throw new Error(`saveModel: options must be an object such as {epochs: true}, not ${options}`);
      }
      return exportFile(options && options.epochs ? 'model-epochs' : 'model').bytes;
    },
    // Makes a saved model the lab's (settings, weights; the test evaluation follows); rejects
    // with an Error saying why it does not fit, and changes nothing then.
    async loadModel(bytes, name) {
      openFile('model', fileBytes(bytes, 'loadModel'), String(name || 'model.cnnlab'));
      return api.state();
    },
    // The weights as .npz (PyTorch nn.Sequential names and layouts: '0.weight' ...).
    exportNpz() { return exportFile('npz').bytes; },
    // Every run's curves: 'csv' (one row per epoch) or 'json' ({runs: history()}).
    exportCurves(format) {
      const kind = format === undefined ? 'csv' : format;
      if (kind !== 'csv' && kind !== 'json') throw new Error(`exportCurves: format must be 'csv' or 'json', got ${JSON.stringify(format)}`);
      return new TextDecoder().decode(exportFile(kind).bytes);
    },
    // Classifies a PNG or JPEG and shows it in Inside the network: {name, width, height, input,
    // top3: [{label, class, probability}], probabilities}. Rejects with an Error saying why.
    async classifyImage(bytes, name) {
      openFile('photo', fileBytes(bytes, 'classifyImage'), String(name || 'photo'));
      return lab.app.photo();
    },
    // One output pixel of a conv or pool layer worked out by hand on the Inside tab's image,
    // {layer (1-based, as the Inside tab's headers), channel, y, x} (0-based); shows it in
    // Inside the network > Explain one pixel. Returns {layer, label, kind, channel, y, x, kernel,
    // stride, padding, top, left, paddingCells, bias, total, featureValue, activation, activated,
    // channels: [{patch, weights, products, sum}], image} (pool layers: window, values, winner,
    // output, featureValue); throws an Error saying why a request is refused.
    explainPixel(request) {
      lab.requireRunning();
      const result = lab.app.explainPixel(request);
      if (result.error) throw new Error(result.error);
      return result.explanation;
    },
    // Which pixels of the image Inside the network shows the network's answer depends on, for
    // the network it shows: {method: 'gradient' | 'smoothgrad' | 'gradcam' | 'occlusion', class
    // (default: the predicted one), patch, stride (occlusion's square and step)}. Returns
    // {method, class, predictedClass, probability, shape, values} (gradient and smoothgrad
    // [C, H, W]; gradcam [H', W'] of the last conv layer; occlusion [H, W], each pixel the mean
    // drop of the class's probability when hidden) and shows it in Inside the network > Where it
    // looks; throws an Error saying why a request is refused.
    saliency(request) {
      lab.requireRunning();
      const result = lab.app.saliency(request);
      if (result.error) throw new Error(result.error);
      return result.map;
    },
    // Time travel: for each run, the epochs whose weights are kept ([{run, epochs: [0, 1, ...]}];
    // 0 is the untrained network).
    snapshots() {
      lab.requireRunning();
      return lab.app.snapshots();
    },
    // Shows run `run`'s network after `epoch` in Inside the network and Evaluation
    // (state().shownEpoch, state().timeTravel); showEpoch(null) goes back to the latest weights.
    // Returns state(); throws an Error saying why a run or epoch is refused (naming those kept).
    showEpoch(run, epoch) {
      lab.requireRunning();
      if (run === null || run === undefined) {
        lab.app.showEpoch(0, 0);
        return api.state();
      }
      if (!Number.isInteger(run) || run < 1) {
        throw new Error(`showEpoch: run must be a run number (1, 2, ...) or null, not ${run}`);
      }
      if (!Number.isInteger(epoch) || epoch < 0) {
        throw new Error(`showEpoch: epoch must be a whole number >= 0 (0: before training), ` +
                        `not ${epoch}`);
      }
      const error = lab.app.showEpoch(run, epoch);
      if (error) throw new Error(error);
      return api.state();
    },
    // The experiment's snapshots: each configuration's kept epochs ([{config, label, epochs}];
    // 0 is the untrained network). showExperimentEpoch(epoch) shows every configuration's network
    // after that epoch in the experiment results' side-by-side maps (state().experimentEpoch);
    // showExperimentEpoch(null) goes back to the latest weights. Returns state(); throws an Error
    // saying why an epoch is refused (naming those kept).
    experimentSnapshots() {
      lab.requireRunning();
      return lab.app.experimentSnapshots();
    },
    showExperimentEpoch(epoch) {
      lab.requireRunning();
      if (epoch === null || epoch === undefined) {
        lab.app.showExperimentEpoch(-1);
        return api.state();
      }
      if (!Number.isInteger(epoch) || epoch < 0) {
        throw new Error(`showExperimentEpoch: epoch must be a whole number >= 0 (0: before ` +
                        `training) or null, not ${epoch}`);
      }
      const error = lab.app.showExperimentEpoch(epoch);
      if (error) throw new Error(`showExperimentEpoch: ${error}`);
      return api.state();
    },
    get element() { return lab.ui.root; },
  };
  return api;
}
