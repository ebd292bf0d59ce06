// Mounting a lab: one Lab per element (CNNLab.mount or a <cnn-lab>) downloads the app, the font
// and the trainer with one progress bar (and the first dataset beside them: early-dataset.js),
// starts the training worker and the app's wasm instance on a canvas of its own, loads the
// dataset, applies the options, and shows what failed with a Retry. Its JavaScript API (api.js) is what CNNLab.mount returns and <cnn-lab>'s `lab` property.
//
// Phases of the page's side: 'loading' until the app's first frame, 'dataset' while a dataset
// downloads, then 'running' (the app reports its own phase); 'error' when anything fails
// (pageError holds the message; failedStage says what Retry must redo: 'app' or 'dataset').
//
// [SECTION] Mounting
// [SECTION] Starting the app
// [SECTION] Options and the start of the lab
// [SECTION] Datasets
// [SECTION] Your own dataset
// [SECTION] Webcam classes
// [SECTION] The training worker's messages
// [SECTION] Failures and Retry

import { createApi } from './api.js';
import { AppInstance } from './app-instance.js';
import { systemTheme, watchCoarsePointer, watchReducedMotion, watchSystemTheme } from './color-scheme.js';
import { fetchAllWithProgress, fetchDataset, fetchOptionalText, cacheDataset, forgetDataset, loadScript } from './downloads.js';
import { EarlyDataset, expectedFirstDataset } from './early-dataset.js';
import { connectToParent, hostOrigin } from './embed-bridge.js';
import { LabEvents } from './events.js';
import { checkArchiveSize, datasetInput, droppedFoldersToTar, fileKind, zipToTar } from './dataset-archive.js';
import { acceptDrops, pickFile, saveBytes } from './files.js';
import { keepForOffline } from './offline.js';
import { TextView } from './mirror.js';
import { defaultPack, packFor, splitOptions, subsetOf } from './options.js';
import { Overlay } from './overlay.js';
import { datasetPackBytes, forgetUpload, isUploadUrl, keepUpload, keptUpload } from './uploads.js';
import { WebcamPanel } from './webcam-panel.js';
import { TrainerClient, chooseTrainer } from './worker-client.js';

// The site's root: this module lives in <site>/page/.
export const defaultBase = new URL('..', import.meta.url).href;

// Adds the lab's stylesheet (<base>page/cnnlab.css) to the document unless it has it: a host page
// needs nothing but the script.
function ensureStylesheet(base) {
  const href = new URL('page/cnnlab.css', base).href;
  const links = Array.from(document.querySelectorAll('link[rel~="stylesheet"]'));
  if (links.some((link) => link.href === href)) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = href;
  document.head.appendChild(link);
}

// ---- [SECTION] Mounting -------------------------------------------------------------------------

export class Lab {
  constructor(root, options) {
    // The options by kind (options.js); unknown or invalid ones collect in optionErrors and are
    // reported once the lab runs with its defaults for them.
    this.setup = splitOptions(options || {});
    this.optionErrors = this.setup.errors.slice();
    this.base = defaultBase;
    if (this.setup.page.base) {
      try {
        this.base = new URL(this.setup.page.base, location.href).href.replace(/\/?$/, '/');
      } catch (e) {
        this.optionErrors.push(`option base: not a URL: ${JSON.stringify(this.setup.page.base)}`);
      }
    }
    ensureStylesheet(this.base);
    // Without a theme option the reader's colour scheme picks it (and is followed while the
    // theme is still the one it picked); systemTheme is null once a theme was chosen.
    this.systemTheme = null;
    if (!('theme' in this.setup.ui)) {
      this.systemTheme = systemTheme();
      this.setup.ui.theme = this.systemTheme;
    }
    this.ui = new Overlay(root);
    if (this.setup.ui.theme === 'dark') this.ui.setDark(true);  // the loading overlay too
    // The text view beside the canvas (screen readers, and a Text view button).
    this.textView = new TextView(this, {
      subsetOf: () => subsetOf(this.manifest, this.base, this.datasetUrl),
    });
    this.events = new LabEvents();
    this.pagePhase = 'loading';
    this.failedStage = 'app';
    this.pageError = null;
    this.datasetUrl = this.setup.page.pack ? new URL(this.setup.page.pack, this.base).href : null;
    this.appRunning = false;
    this.runtimeStarted = false;  // a wasm instance ran: a retry must reload the page
    this.starting = false;
    this.hasStarted = false;      // started() ran (options applied, ready settled)
    this.app = new AppInstance();
    this.trainer = new TrainerClient({base: this.base,
                                      onMessage: (message) => this.fromTrainer(message),
                                      onFailure: (text) => this.trainerFailed(text)});
    // A dataset the student brought (loadUpload): its verdict's callback while the worker reads
    // it, its pack between the worker's 'uploadPack' and 'dataset' messages, the pack kept in
    // memory when the browser's cache refused it, and whether the refusal was shown already;
    // its name while the worker decodes it (the decoding box).
    this.uploadSettled = null;
    this.uploadPackArrived = null;
    this.uploadPack = null;
    this.uploadNoticeShown = false;
    this.uploadName = null;
    // While `ready` waits for the trainer to report the page's settings: called with each of its
    // messages (trainerHasSettings).
    this.settingsSettled = null;
    // The Webcam classes panel, made when first opened (null until then).
    this.webcam = null;
    // The training worker's memory as it last reported it: {heapBytes, heapInUseBytes} or null.
    this.workerMemory = null;
    this.manifest = null;         // data/packs.json of the site (null: none)
    this.manifestText = null;     // a promise of its text (asked for as the start begins)
    this.earlyDataset = null;     // the first dataset while it downloads early (EarlyDataset)
    this.defaultOptions = null;   // the app's training options before any were applied (links)
    this.loading = {step: 'starting', receivedBytes: 0, totalBytes: null};
    this.logLines = [];
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.api = createApi(this);

    this.ui.retry.addEventListener('click', () => this.retry());
    this.ui.dismiss.addEventListener('click', () => this.dismissDatasetError());
    acceptDrops(this.ui.canvas, () => (this.appRunning ? this.app : null),
                (dropped) => this.uploadDropped(dropped));
    if (this.setup.page.embed) connectToParent(this.api, hostOrigin(this.setup.page.origin));
    this.start();
  }

  // ---- [SECTION] Starting the app ---------------------------------------------------------------

  async start() {
    if (this.starting) return;
    this.starting = true;
    this.pagePhase = 'loading';
    this.pageError = null;
    this.ui.showLoading();
    const step = 'Downloading the app…';
    this.showProgress(step, 0, null);
    try {
      const base = this.base;
      // Every request of the start goes out at once (a first load on a slow link is mostly
      // round trips and bytes in a row): the site's subsets and the student's kept dataset (what
      // to load first), the app's glue script (it only defines the factory) and the downloads.
      this.manifestText = fetchOptionalText(base + 'data/packs.json');
      const kept = this.setup.page.pack ? Promise.resolve(null) : keptUpload(base);
      const early = Promise.all([this.manifestText, kept])
          .then(([manifestText, keptUrl]) => this.startEarlyDataset(manifestText, keptUrl));
      loadScript(base + 'cnnlab_app.js').catch(() => {});  // app.start reports a failure
      const choice = await chooseTrainer(base, fetchOptionalText);
      // The app's wasm is compiled as it downloads where the browser can (its bytes are still
      // read for the progress bar, and compiled after all if streaming compilation fails).
      let wasmModule = null;
      const compileWhileDownloading = (response) => {
        if (typeof WebAssembly.compileStreaming !== 'function') return;
        wasmModule = WebAssembly.compileStreaming(response.clone()).catch(() => null);
      };
      // The training worker starts as soon as its module is in (it compiles it while the app's
      // larger one still downloads), and the first dataset's pieces go to it from then on.
      const startTrainer = (trainerBytes) => {
        this.trainer.start(trainerBytes, choice);
        early.then(() => { if (this.earlyDataset) this.earlyDataset.attach(this.trainer); });
      };
      const [wasmBytes, fontBytes] = await fetchAllWithProgress(
          [base + 'cnnlab_app.wasm', base + 'fonts/DejaVuSans.ttf', base + choice.wasm],
          (received, total) => this.showProgress(step, received, total),
          [compileWhileDownloading], [null, null, startTrainer]);
      await early;
      if (this.earlyDataset) this.earlyDataset.attach(this.trainer);
      this.showProgress('Starting the app…', this.loading.receivedBytes, this.loading.totalBytes);
      await this.app.start({
        base, canvas: this.ui.canvas, wasmBytes, wasmModule, fontBytes, hooks: this.appHooks(),
        log: (text, isError) => {
          this.logLines.push(text);
          if (isError) console.warn(text);
          else console.log(text);
        },
        onStarted: () => { this.runtimeStarted = true; },
        onFailure: (error) => this.fail(error),
      });
    } catch (e) {
      this.fail(e);
    }
  }

  // The first dataset starts downloading now, beside the app's files (page/early-dataset.js);
  // loadDataset adopts it. Not again on a retry of a failed start.
  startEarlyDataset(manifestText, kept) {
    if (this.earlyDataset && !this.earlyDataset.cancelled) return;
    const url = expectedFirstDataset({setup: this.setup, packUrl: this.datasetUrl, manifestText,
                                      kept, base: this.base, defaultPack, packFor});
    if (url) this.earlyDataset = new EarlyDataset(url);
  }

  // What the app calls on the page (Module.cnnlab*, web/platform/platform_web.cpp).
  appHooks() {
    return {
      cnnlabOnReady: () => this.appReady(),
      // The menu bar's Copy link (app/embed_options.cpp).
      cnnlabCopyLink: () => { this.copyLink(); },
      cnnlabOnFatalError: (message) => {
        this.runtimeStarted = true;
        this.fail(new Error(message));
      },
      // The Data panel's Load button (a file relative to the site).
      cnnlabRequestDataset: (file) => {
        this.loadDataset(new URL(file, this.base).href).catch(() => {});
      },
      // The app's WorkerBackend: a command (JSON text), with a pack's or model file's bytes.
      cnnlabPostToTrainer: (command, bytes) => {
        if (bytes) this.trainer.handOverPack(command, bytes);
        else this.trainer.postCommand(command);
      },
      // The Training panel's Restart button after the training worker died.
      cnnlabRestartTrainer: () => { this.restartTrainer().catch(() => {}); },
      // The File menu's Load model / Classify photo / Load dataset: the page's file chooser.
      cnnlabPickFile: (kind, accept) => pickFile(this.app, kind, accept,
                                                 (file) => this.uploadDropped({file})),
      // The File menu's Download dataset (.pack).
      cnnlabDownloadDataset: () => { this.downloadDataset().catch(() => {}); },
      // The File menu's Webcam classes...: the page's panel (webcam-panel.js).
      cnnlabOpenWebcam: () => { this.openWebcam().catch(() => {}); },
    };
  }

  // The app drew its first frame: offer the site's subsets, apply the look and data options,
  // load the dataset, then start the lab.
  async appReady() {
    this.runtimeStarted = true;
    this.appRunning = true;
    this.starting = false;
    await this.offerSubsets();
    this.applyStartOptions();
    // The student's own dataset from the last visit, unless the link or element names one.
    if (!this.setup.page.pack && !Object.keys(this.setup.data).length) {
      const kept = await keptUpload(this.base);
      if (kept) this.datasetUrl = kept;
    }
    if (this.datasetUrl) {
      this.loadDataset(this.datasetUrl).then(() => {
        if (this.pagePhase === 'running') this.started();
      }, () => {});
    } else {
      if (this.earlyDataset) this.earlyDataset.cancel();  // (a manifest the app refused)
      this.earlyDataset = null;
      this.showApp();
      this.started();
    }
  }

  // The subsets the site offers (data/packs.json, made at build time). None is fine: the app
  // says that no dataset is loaded. Without an explicit pack, the manifest's default is loaded
  // before `ready` resolves.
  async offerSubsets() {
    const text = await (this.manifestText || fetchOptionalText(this.base + 'data/packs.json'));
    if (text === null) return;
    const error = this.app.setSubsets(text);
    if (error) {
      console.warn(`CNN Lab: ${error}`);
      return;
    }
    this.manifest = JSON.parse(text);
    if (!this.datasetUrl) this.datasetUrl = defaultPack(this.manifest, this.base);
  }

  // ---- [SECTION] Options and the start of the lab -----------------------------------------------

  // Applies options with fn (returns "" or why): all at once, or one by one when refused, so
  // that the valid ones still apply; the refusals go to optionErrors.
  applyEach(values, fn) {
    if (!Object.keys(values).length || !fn(values)) return;
    for (const [key, value] of Object.entries(values)) {
      const error = fn({[key]: value});
      // The model's own checks name the layer ("layer 1 conv2d ...: kernel size must be ...").
      if (error) {
        this.optionErrors.push(error.startsWith('option ') ? error : `option ${key}: ${error}`);
      }
    }
  }

  // The look and data options, once the app runs (before its dataset loads; the training
  // options follow the dataset: the engine checks the model against its shape).
  applyStartOptions() {
    this.defaultOptions = this.api.state().options || null;
    this.applyEach(this.setup.ui, (values) => this.app.setUi(values));
    const data = this.setup.data;
    if (Object.keys(data).length) {
      try {
        this.datasetUrl = packFor(this.manifest, this.base, this.datasetUrl, data.dataset,
                                  data.subset);
      } catch (e) {
        this.optionErrors.push(e.message);
      }
    }
  }

  // The lab runs (its dataset, if any, is loaded): apply the training options, report those not
  // applied, settle `ready`, start the events, keep the site for offline use, autostart.
  started() {
    if (this.hasStarted) return;
    this.hasStarted = true;
    this.applyEach(this.setup.training, (values) => this.app.configure(values));
    if (this.optionErrors.length) this.app.setUi({notice: this.optionErrors.join('\n')});
    // The configure is on its way to the worker: right after `ready`, state().model must be the
    // network the page's settings describe, not the default one the trainer reported before.
    this.trainerHasSettings().then(() => this.settleReady());
    this.events.watch(this.api);
    this.textView.watch(this.api);
    watchSystemTheme((theme) => this.systemThemeChanged(theme));
    watchReducedMotion((reduce) => {
      if (this.appRunning && this.app.callable) this.app.setUi({reducedMotion: reduce});
    });
    watchCoarsePointer((coarse) => {
      if (this.appRunning && this.app.callable) this.app.setUi({touch: coarse});
    });
    if (this.setup.page.offline !== false) keepForOffline(this.base);
    if (this.setup.page.lesson) {
      // A lesson from the link or attribute opens in the Guide tab; a refusal says why there
      // (and in the app's notice), and the lab runs on without it.
      this.api.openLesson(this.setup.page.lesson).catch((e) => {
        this.app.setUi({notice: this.optionErrors.concat([`option lesson: ${e.message}`]).join('\n')});
      });
    }
    if (this.setup.page.autostart) {
      try {
        this.api.train();
      } catch (e) {
        const notice = this.optionErrors.concat([`option autostart: ${e.message}`]);
        this.app.setUi({notice: notice.join('\n')});
      }
    }
  }

  // The reader's colour scheme changed: the lab follows it unless a theme was chosen (an option,
  // configure, or the app's View menu: the theme is no longer the one the scheme picked).
  systemThemeChanged(theme) {
    if (this.systemTheme === null || !this.appRunning || !this.app.callable) return;
    const current = this.api.state().ui;
    if (!current || current.theme !== this.systemTheme) {
      this.systemTheme = null;
      return;
    }
    if (this.app.setUi({theme})) return;
    this.systemTheme = theme;
    this.ui.setDark(theme === 'dark');
  }

  // Resolves once the training worker has reported the settings the app applied as its own
  // (state().settingsReported: state().model is then their network), or when it never will: it
  // refused them (the app shows why), stopped, or is not running, or the lab has no dataset (a
  // pack that could not be loaded: the trainer builds no network until one comes). Checked every 50 ms: the app
  // applies the worker's reports when it draws its next frame, not as they arrive.
  trainerHasSettings() {
    let refused = false;
    this.settingsSettled = (message) => {
      if (message.type === 'error' && message.command === 'configure') refused = true;
    };
    const settled = () => {
      if (refused || !this.trainer.started || !this.appRunning || !this.app.callable) return true;
      try {
        const state = this.app.state();
        return state.settingsReported || state.phase === 'error' || !state.dataset;
      } catch (e) {
        return true;  // the app instance aborted (onAbort reported it)
      }
    };
    return new Promise((resolve) => {
      const check = () => {
        if (!settled()) {
          setTimeout(check, 50);
          return;
        }
        this.settingsSettled = null;
        resolve();
      };
      check();
    });
  }

  // `ready` resolves with the API, or rejects with an Error naming the options not applied (the
  // lab then runs with its defaults for those; error.errors lists them, error.api is the API).
  settleReady() {
    if (!this.optionErrors.length) {
      this.resolveReady(this.api);
      return;
    }
    const error = new Error(`CNN Lab: options not applied: ${this.optionErrors.join('; ')}`);
    error.errors = this.optionErrors.slice();
    error.api = this.api;
    this.rejectReady(error);
    this.events.emit('error', {message: error.message});
  }

  // The menu bar's Copy link: the clipboard (or, where the page may not write it, a text field
  // the browser copies from); the app's menu bar says how it went. Resolves with {url, copied}.
  async copyLink() {
    const url = this.api.link();
    let copied = false;
    try {
      await navigator.clipboard.writeText(url);
      copied = true;
    } catch (e) {
      // No clipboard permission (e.g. an iframe without allow="clipboard-write").
      const field = document.createElement('textarea');
      field.value = url;
      field.style.cssText = 'position:fixed;left:-9999px;opacity:0';
      document.body.appendChild(field);
      field.select();
      try {
        copied = document.execCommand('copy');
      } catch (e2) {
        copied = false;
      }
      field.remove();
      this.ui.canvas.focus({preventScroll: true});
    }
    if (this.appRunning) {
      this.app.setUi({linkStatus: copied ? 'Link copied.' : `Copy this link: ${url}`});
    }
    this.events.emit('link', {url, copied});
    return {url, copied};
  }

  // Throws unless the app runs (API calls that need it).
  requireRunning() {
    if (!this.appRunning || !this.app.callable) throw new Error('the app is not running yet');
  }

  // ---- [SECTION] Datasets -----------------------------------------------------------------------

  showProgress(stepText, received, total) {
    this.loading = {step: stepText, receivedBytes: received, totalBytes: total};
    this.ui.showProgress(stepText, received, total);
  }

  showApp() {
    this.pagePhase = 'running';
    this.ui.showApp();
  }

  setDataStatus(text) {
    if (this.appRunning && this.app.callable) this.app.setDataStatus(text);
  }

  // Downloads a dataset (with progress), hands it to the app, caches it. Rejects (and shows the
  // error box, whose Retry downloads it again) when the download or the file is bad.
  async loadDataset(url) {
    const name = decodeURIComponent(url.split('/').pop() || url);
    this.datasetUrl = url;  // what Retry downloads again
    this.pagePhase = 'dataset';
    this.pageError = null;
    this.ui.showLoading();
    const step = `Downloading the dataset ${name}…`;
    this.showProgress(step, 0, null);
    this.setDataStatus(step);
    // The worker's verdict (its dataset report, or why it refused the file), asked for before
    // the first byte goes to it.
    const verdict = this.expectPack();
    // The first dataset may be on its way already (startEarlyDataset); any other replaces it.
    const early = this.earlyDataset;
    this.earlyDataset = null;
    const adopted = early && early.url === url && !early.cancelled && this.trainer.started
        ? early.adopt((received, total) => this.showProgress(step, received, total)) : null;
    if (early && !adopted) early.cancel();
    let fetched;
    try {
      if (adopted) {
        for (const message of adopted.held) this.fromTrainer(message);
        fetched = await adopted.fetched;
      } else {
        fetched = await fetchDataset(url, (received, total) =>
            this.showProgress(step, received, total),
            this.trainer.started ? this.trainer.datasetStream(url) : null);
      }
    } catch (e) {
      if (this.packSettled) this.packSettled(e.message);
      this.setDataStatus(e.message);
      this.fail(e, 'dataset');
      throw e;
    }
    const size = fetched.bytes ? fetched.bytes.length : this.loading.totalBytes;
    this.showProgress(`Reading the dataset ${name}…`, size, size);
    // Streamed as it arrived, or (size unknown in advance) handed over whole now.
    if (fetched.bytes) this.handOverPack(fetched.bytes, url);
    const cached = cacheDataset(fetched);
    const error = await verdict;
    const storageProblem = await cached;
    if (error) {
      // A training worker that is not running is no fault of the dataset's: the file stays
      // cached and the message says what failed.
      const workerDown = !this.trainer.started;
      if (!workerDown) await forgetDataset(fetched, url);
      const e = new Error(workerDown
          ? `${name} could not be loaded because the lab's training worker is not running ` +
            `(${error}). Reload the page to start it again.`
          : `${name} is not a usable dataset: ${error}`);
      this.setDataStatus(e.message);
      this.fail(e, 'dataset');
      throw e;
    }
    this.showApp();
    // A site pack (or a link's) chosen: the next visit starts with it, not an earlier upload.
    if (!isUploadUrl(this.base, url)) forgetUpload();
    // The dataset runs from memory whether or not the browser's storage kept it.
    this.ui.showNotice(storageProblem || null);
  }

  // ---- [SECTION] Your own dataset ---------------------------------------------------------------

  // A file picked or dropped ({file}: a File) or folders dropped ({entries}: FileSystemEntry)
  // for the dataset: loaded with the input size the File menu shows; a refusal is the app's
  // notice (loadUpload shows it), here only logged.
  async uploadDropped({file, entries}) {
    this.uploadNoticeShown = false;
    try {
      // A read-only page keeps the instructor's dataset (File > Load dataset is off there too;
      // the page's own JavaScript can still call api.loadDataset).
      const ui = this.api.state().ui;
      if (ui && ui.readOnly) {
        const what = file ? file.name : 'the dropped folders';
        throw new Error(`${what}: this page fixes the lab's dataset (read-only), so loading your own is off`);
      }
      if (entries) {
        const tar = await droppedFoldersToTar(entries);
        if (tar) {
          await this.loadUpload(tar, entries.length === 1 ? entries[0].name : 'my-dataset',
                                undefined, true);
          return;
        }
      }
      if (!file) return;
      checkArchiveSize(file.size, file.name);
      await this.loadUpload(new Uint8Array(await file.arrayBuffer()), file.name, undefined, true);
    } catch (e) {
      if (!this.uploadNoticeShown) this.filesNotice(e.message, true);
      console.warn(`CNN Lab: ${e.message}`);
    }
  }

  filesNotice(text, error) {
    if (this.appRunning && this.app.callable) this.app.filesNotice(text, error);
  }

  // Loads a dataset the student brought: bytes of a .zip, .tar, .tar.gz or .pack named name,
  // fitted to input ('32x32' colour, '28x28-grey'; default: the File menu's choice). The training
  // worker decodes and checks all of it before it replaces anything: refused, the dataset and
  // the runs stay as they were. Resolves with the dataset's name once the app shows it; rejects
  // with an Error naming the file and why (also the app's notice). owned: the bytes are the
  // page's own (a file it read) and may be transferred to the worker as they are; otherwise
  // (the API's caller keeps them) a copy is.
  async loadUpload(bytes, name, inputName, owned = false) {
    this.requireRunning();
    this.uploadNoticeShown = false;
    const fail = (message) => {
      this.filesNotice(message, true);
      this.uploadNoticeShown = true;
      return new Error(message);
    };
    let input;
    let kind = null;
    let archive = bytes;
    try {
      input = datasetInput(inputName === undefined ? this.app.datasetInput() : inputName);
      checkArchiveSize(bytes.length, name);
      if (!bytes.length) throw new Error(`${name}: empty file (0 bytes)`);
      kind = fileKind(bytes);
      if (kind === 'photo' || kind === 'model') {
        throw new Error(`${name}: a ${kind === 'photo' ? 'single photo' : 'model file'}, not a ` +
                        'dataset: expected a .zip, .tar or .tar.gz of class folders, or a .pack');
      }
      this.filesNotice(`Reading ${name}…`, false);
      // A .zip becomes the tar the engine reads; other bytes are transferred to the worker (a
      // copy when the caller keeps its own).
      archive = kind === 'zip' ? await zipToTar(bytes, name)
          : owned && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
              ? bytes : bytes.slice();
    } catch (e) {
      throw fail(e.message);
    }
    if (!this.trainer.started) throw fail(`${name}: the training worker is not running`);
    if (this.uploadSettled) this.uploadSettled({error: 'another dataset was chosen'});
    this.uploadName = name;  // the decoding box's (uploadProgress messages)
    const verdict = new Promise((resolve) => {
      this.uploadSettled = (result) => {
        this.uploadSettled = null;
        this.ui.showDecoding(null);
        resolve(result);
      };
    });
    this.trainer.handOverUpload(JSON.stringify(Object.assign({name}, input)), archive);
    const {error, pack} = await verdict;
    if (error) throw fail(error);
    const kept = await keepUpload(this.base, name, pack);
    this.datasetUrl = kept.url;  // what Retry, a restarted worker and Download read again
    this.uploadPack = kept.problem ? pack : null;  // kept in memory only when the cache refused it
    const dataset = this.api.state().dataset || {};
    const shape = input.channels === 1 ? `${input.height}x${input.width} grey`
        : `${input.height}x${input.width} colour`;
    this.filesNotice(`Loaded ${name}: ${dataset.classes} classes, ${dataset.train + dataset.val} ` +
                     `training and ${dataset.test} test images` +
                     (kind === 'pack' ? '' : `, each fitted to ${shape}`) + '. ' +
                     (kept.problem || 'Kept for your next visit.'), false);
    return dataset.name;
  }

  // The File menu's Download dataset (.pack): the current dataset's pack, saved as a file (a
  // teacher hosts it and links it with ?pack=). Resolves with {name, bytes}.
  async downloadDataset() {
    this.requireRunning();
    try {
      if (!this.datasetUrl) throw new Error('there is no dataset to download yet');
      const bytes = this.uploadPack && isUploadUrl(this.base, this.datasetUrl) ? this.uploadPack
          : await datasetPackBytes(this.datasetUrl);
      const dataset = this.api.state().dataset;
      const name = `${(dataset && dataset.name) || 'dataset'}.pack`;
      saveBytes(name, bytes);
      this.filesNotice(`Saved: downloaded as ${name}. Host it and link to the lab with ` +
                       `?pack=<its URL> to give a class this dataset.`, false);
      return {name, bytes};
    } catch (e) {
      this.filesNotice(`Download dataset: ${e.message}`, true);
      throw e;
    }
  }

  // ---- [SECTION] Webcam classes -----------------------------------------------------------------

  // Opens the Webcam classes panel (made on first use) and starts the camera; resolves with the
  // panel's state once the camera runs or the reason it does not is shown.
  openWebcam() {
    this.requireRunning();
    if (!this.webcam) this.webcam = new WebcamPanel(this);
    return this.webcam.open();
  }

  // Resolves '' once the app has the next dataset's report from the worker (a 'dataset'
  // message), or why the worker refused it (or why it never got there). A dataset chosen
  // meanwhile settles the earlier one.
  expectPack() {
    return new Promise((resolve) => {
      if (this.packSettled) this.packSettled('another dataset was chosen');
      this.packSettled = (error) => {
        this.packSettled = null;
        resolve(error);
      };
    });
  }

  // A whole file goes straight to this lab's training worker (transferred, never copied
  // through the app); its verdict arrives through expectPack().
  handOverPack(bytes, origin) {
    if (!this.trainer.started) {
      if (this.packSettled) this.packSettled('the training worker is not running');
      return;
    }
    this.trainer.handOverPack(JSON.stringify({origin}), bytes);
  }

  // ---- [SECTION] The training worker's messages -------------------------------------------------

  fromTrainer(message) {
    if (message.type === 'report' && typeof message.heapBytes === 'number') {
      this.workerMemory = {heapBytes: message.heapBytes,
                           heapInUseBytes: typeof message.heapInUseBytes === 'number'
                               ? message.heapInUseBytes : null};
    }
    // An upload's outcome (loadUpload): its pack comes first, then its report; a refusal is
    // the upload's own, never the app's trainer error.
    if (message.type === 'uploadPack') {
      this.uploadPackArrived = message.bytes;
      return;
    }
    // How far the worker is in decoding the upload's images: the decoding box's bar.
    if (message.type === 'uploadProgress') {
      if (this.uploadSettled && this.uploadName) {
        this.ui.showDecoding(this.uploadName, message.decoded, message.total);
      }
      return;
    }
    if (message.type === 'error' && message.command === 'upload') {
      if (this.uploadSettled) this.uploadSettled({error: message.message});
      return;
    }
    // The first dataset's answers wait for the loadDataset that adopts its download.
    if (this.earlyDataset && this.earlyDataset.hold(message)) return;
    if (!this.appRunning || !this.app.callable) return;  // nothing asked for it yet
    try {
      this.app.deliverTrainerMessage(message);
    } catch (e) {
      // The app instance aborted (onAbort reported it); nothing more to hand over.
    }
    if (this.settingsSettled) this.settingsSettled(message);
    if (message.type === 'dataset' && this.uploadPackArrived) {
      const pack = this.uploadPackArrived;
      this.uploadPackArrived = null;
      if (this.uploadSettled) this.uploadSettled({error: '', pack});
      return;
    }
    // A pack handed over by loadDataset: loaded (the app has its report now) or refused.
    if (this.packSettled && message.type === 'dataset') this.packSettled('');
    if (this.packSettled && message.type === 'error' && message.command === 'pack') {
      this.packSettled(message.message);
    }
  }

  // The worker could not load or stopped: the app shows it with a Retry (nothing trained is lost
  // on its side); before the app runs, the error box.
  trainerFailed(message) {
    if (this.settingsSettled) this.settingsSettled({type: 'error', command: 'configure'});
    if (this.packSettled) this.packSettled(message);
    if (this.uploadSettled) this.uploadSettled({error: message});
    this.logLines.push(message);
    console.error(`CNN Lab: ${message}`);
    if (this.appRunning && this.app.callable) this.app.trainerError(message, true);
    else this.fail(new Error(message));
  }

  // Replaces a training worker that died with a fresh one: the app keeps everything it has
  // (curves, run log, the last weights and settings, which it hands the new worker once the
  // dataset is back: cnnlab_trainer_restarted), and the dataset the lab had is loaded again
  // (from the browser's cache when it is there). Resolves when the new worker has the data.
  async restartTrainer() {
    if (!this.appRunning || !this.trainer.restart()) {
      throw new Error('there is no training worker to restart');
    }
    this.workerMemory = null;  // the new worker reports its own
    this.app.trainerRestarted();
    // Your own dataset that the browser's cache could not keep is in memory: handed over as it is.
    if (this.uploadPack && isUploadUrl(this.base, this.datasetUrl)) {
      const verdict = this.expectPack();
      this.handOverPack(this.uploadPack.slice(), this.datasetUrl);
      const error = await verdict;
      if (error) throw new Error(error);
      return;
    }
    if (this.datasetUrl) await this.loadDataset(this.datasetUrl);
  }

  // ---- [SECTION] Failures and Retry -------------------------------------------------------------

  // Shows the error box (the first failure only: the rest follow from it). stage: what Retry
  // redoes, 'app' (default) or 'dataset'.
  fail(error, stage) {
    const text = error && error.message ? error.message : String(error);
    if (this.pagePhase === 'error') return;
    this.failedStage = stage || 'app';
    this.pagePhase = 'error';
    this.pageError = text;
    this.starting = false;
    this.ui.showError({
      heading: this.failedStage === 'dataset' ? 'The dataset could not be loaded'
          : this.runtimeStarted ? 'CNN Lab stopped' : 'CNN Lab could not start',
      message: text,
      details: this.logLines.slice(-20).join('\n'),
      canDismiss: this.failedStage === 'dataset' && this.appRunning,
    });
  }

  // Retries after a failure: downloads again, or reloads the page once an app instance ran (a
  // crashed wasm instance cannot be restarted in place).
  retry() {
    if (this.pagePhase !== 'error') return;
    if (this.failedStage === 'dataset' && this.appRunning) {
      this.loadDataset(this.datasetUrl).then(() => this.started(), () => {});
    } else if (this.runtimeStarted) {
      location.reload();
    } else {
      this.start();
    }
  }

  // Back to the lab after a failed dataset download: the data it already has.
  dismissDatasetError() {
    if (this.pagePhase === 'error' && this.failedStage === 'dataset' && this.appRunning) {
      this.pageError = null;
      this.showApp();
      this.started();
    }
  }
}

// Mounts a lab into root (any element; its content is replaced) and returns its JavaScript API.
export function mount(root, options) {
  return new Lab(root, options).api;
}
