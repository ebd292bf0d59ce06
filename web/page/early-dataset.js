// The first dataset, downloaded early: on a first visit the dataset pack is the largest download
// after the app's wasm, and the page's loading is over only once it is in. It starts with the
// app's downloads (a slow link is then busy from the start, with no gap while the app compiles
// and starts), its pieces wait until the training worker runs and then stream into it, instead
// of all of it starting after the app drew its first frame (page/mount.js's appReady, which then
// adopts it: loadDataset of the same URL).
//
// Until it is adopted the worker's messages are held here (the app cannot take them yet, and
// the pack's verdict must reach the loadDataset that adopts it); a different first dataset
// cancels it: its remaining pieces go nowhere, the worker drops what it had of it, and the held
// messages are dropped with it.

import { fetchDataset } from './downloads.js';

// The pack URL appReady will load first, worked out before the app runs, or null when it cannot
// be known yet (then nothing starts early). setup: splitOptions' result; packUrl: an explicit
// pack (the `pack` option); manifestText: data/packs.json's text or null; kept: the student's
// own dataset from the last visit (keptUpload's answer).
export function expectedFirstDataset({setup, packUrl, manifestText, kept, base, defaultPack, packFor}) {
  let manifest = null;
  try {
    manifest = manifestText ? JSON.parse(manifestText) : null;
  } catch (e) {
    return null;  // the app says what is wrong with it; nothing early
  }
  if (manifest && !Array.isArray(manifest.packs)) return null;
  let url = packUrl || (manifest ? defaultPack(manifest, base) : null);
  if (Object.keys(setup.data).length) {
    try {
      url = packFor(manifest, base, url, setup.data.dataset, setup.data.subset);
    } catch (e) {
      return null;  // the app reports the option once it runs
    }
  } else if (!packUrl && kept) {
    url = kept;
  }
  return url;
}

export class EarlyDataset {
  // Starts downloading url at once; its pieces wait here until attach() names the training
  // worker (a TrainerClient that has started), then stream into it as they arrive.
  constructor(url) {
    this.url = url;
    this.held = [];          // the worker's messages while nobody can take them
    this.adopted = false;
    this.cancelled = false;
    this.progress = {received: 0, total: null};
    this.onProgress = null;  // the adopter's progress display
    this.sink = null;        // the worker's stream (TrainerClient.datasetStream), once attached
    this.waiting = [];       // the stream's calls before then: [name, argument]
    this.begun = false;
    this.ended = false;
    const call = (name, argument) => {
      if (this.cancelled) return;
      if (name === 'begin') this.begun = true;
      if (name === 'end' || name === 'abort') this.ended = true;
      if (this.sink) this.sink[name](argument);
      else this.waiting.push([name, argument]);
    };
    this.fetched = fetchDataset(url, (received, total) => {
      this.progress = {received, total};
      if (this.onProgress) this.onProgress(received, total);
    }, {
      begin: (size) => call('begin', size),
      piece: (bytes) => call('piece', bytes),
      end: () => call('end'),
      abort: () => call('abort'),
    });
    this.fetched.catch(() => {});  // a failure is the adopter's to report (or nobody's)
  }

  // The training worker runs: what arrived so far goes to it, the rest as it arrives.
  attach(trainer) {
    if (this.sink || this.cancelled) return;
    this.sink = trainer.datasetStream(this.url);
    for (const [name, argument] of this.waiting.splice(0)) this.sink[name](argument);
  }

  // Keeps a worker message for the adopter; false once adopted or cancelled (deliver it then).
  hold(message) {
    if (this.adopted || this.cancelled) return false;
    this.held.push(message);
    return true;
  }

  // The download, for loadDataset: the held messages (deliver them in order once the verdict is
  // asked for), and fetchDataset's result as a promise. onProgress sees the progress from now on.
  adopt(onProgress) {
    this.adopted = true;
    this.onProgress = onProgress;
    onProgress(this.progress.received, this.progress.total);
    return {held: this.held.splice(0), fetched: this.fetched};
  }

  // Another dataset comes first: nothing more of this one reaches the worker.
  cancel() {
    if (this.adopted || this.cancelled) return;
    if (this.sink && this.begun && !this.ended) this.sink.abort();
    this.cancelled = true;
    this.held = [];
    this.waiting = [];
  }
}
