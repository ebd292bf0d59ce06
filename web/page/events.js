// A lab's events for api.on and the iframe host: 'epoch' (each finished epoch's record, with run
// and label), 'done' (a run ended, with its test results), 'error' ({message}), 'phase' (every
// change of phase), 'link' ({url, copied}). The first three are derived from the app's state,
// read about 4 times a second once the lab runs (watch).

const WATCH_INTERVAL_MS = 250;
// The test results follow the end of a run within a report or two; 'done' waits that long for
// them at most.
const TEST_RESULTS_WAIT_MS = 3000;

export class LabEvents {
  constructor() {
    this.listeners = new Map();  // type -> Set of handlers
    this.timer = null;
  }

  // Calls handler(detail) on every event of type; returns a function that stops it.
  on(type, handler) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(handler);
    return () => this.listeners.get(type).delete(handler);
  }

  emit(type, detail) {
    for (const handler of this.listeners.get(type) || []) {
      try {
        handler(detail);
      } catch (e) {
        console.error(e);
      }
    }
  }

  // Starts deriving 'epoch', 'done', 'phase' and 'error' from api.state() and api.history()
  // (the epochs already finished now are not reported).
  watch(api) {
    if (this.timer) return;
    const seen = new Set();  // "run:epoch" already reported
    for (const run of api.history()) for (const e of run.epochs) seen.add(`${run.run}:${e.epoch}`);
    let phase = null, doneRun = 0, doneSince = 0;
    this.timer = setInterval(() => {
      let s, history;
      try {
        s = api.state();
        history = api.history();
      } catch (e) {
        return;  // the instance aborted: its error was reported
      }
      for (const run of history) {
        for (const e of run.epochs) {
          const key = `${run.run}:${e.epoch}`;
          if (seen.has(key)) continue;
          seen.add(key);
          this.emit('epoch', Object.assign({run: run.run, label: run.label,
                                            epochs: run.options ? run.options.epochs : null}, e));
        }
      }
      if (s.phase !== phase) {
        phase = s.phase;
        doneSince = Date.now();
        this.emit('phase', {phase});
        if (phase === 'error') this.emit('error', {message: s.error});
      }
      if (phase === 'done' && doneRun !== s.run &&
          (s.testAcc !== null || Date.now() - doneSince > TEST_RESULTS_WAIT_MS)) {
        doneRun = s.run;
        this.emit('done', {run: s.run, epoch: s.epoch, epochs: s.epochs, testAcc: s.testAcc,
                           testLoss: s.testLoss, testEpoch: s.testEpoch, trainAcc: s.trainAcc,
                           valAcc: s.valAcc, stopReason: s.stopReason});
      }
    }, WATCH_INTERVAL_MS);
  }
}
