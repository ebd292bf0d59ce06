// The text view: a DOM mirror of what a lab's canvas shows, for screen readers (the canvas is
// pixels to them) and for anyone who prefers text. It sits beside the canvas in the lab's element,
// kept in sync from the lab's public API (state(), history(), the experiment results() gives
// and the events of events.js), and holds:
//   - a polite live region (announcer.js) that says phase changes, each finished epoch, each run's
//     test results and an experiment's verdict, at most once a second;
//   - the status and the current settings as labelled text (<dl>);
//   - the results as HTML tables with captions and header cells: each run's epochs, the test
//     results, the latest tested run's per-class metrics and confusion matrix, the experiment.
// It is visually hidden (still read by screen readers) until the "Text view" toggle button, placed
// before the canvas in the element (reachable by Tab), shows it: beside the canvas in a wide lab,
// over it in a narrow one (cnnlab.css). Ids are unique per lab, so several labs share a page.
//
// [SECTION] Building blocks
// [SECTION] The text view
// [SECTION] Keeping it in sync
// [SECTION] Tables

import { Announcer } from './announcer.js';
import { UNKNOWN, count, doneSentence, duration, epochSentence, experimentDoneSentence,
         experimentLabel, loss, modelName, percent, phaseSentence, setting } from './text-format.js';

const SYNC_INTERVAL_MS = 1000;

// ---- [SECTION] Building blocks ------------------------------------------------------------------

function element(tag, attributes, text) {
  const e = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (name === 'className') e.className = value;
    else e.setAttribute(name, value);
  }
  if (text !== undefined) e.textContent = text;
  return e;
}

// A prefix no element of the document uses yet ("cnnlab-1", "cnnlab-2", ...): labs mounted by
// separate copies of this module (two lab sites on one page) must not collide either.
let labsNumbered = 0;
function uniquePrefix() {
  for (;;) {
    const prefix = `cnnlab-${++labsNumbered}`;
    if (!document.querySelector(`[id^="${prefix}-"]`)) return prefix;
  }
}

// A <dl> of [term, description] pairs, rewritten only where a description changed.
function fillList(list, pairs) {
  const key = pairs.map(([term]) => term).join('\n');
  if (list.dataset.terms !== key) {
    list.replaceChildren();
    for (const [term] of pairs) {
      const group = element('div', {className: 'cnnlab-pair'});
      group.append(element('dt', {}, term), element('dd'));
      list.appendChild(group);
    }
    list.dataset.terms = key;
  }
  const descriptions = list.querySelectorAll('dd');
  pairs.forEach(([, text], i) => {
    if (descriptions[i].textContent !== text) descriptions[i].textContent = text;
  });
}

// ---- [SECTION] The text view --------------------------------------------------------------------

export class TextView {
  // lab: the Lab (mount.js) whose element (lab.ui.root) and canvas (lab.ui.canvas) it joins;
  // subsetOf(): the id of the site subset the lab has loaded, or null.
  constructor(lab, {subsetOf}) {
    this.lab = lab;
    this.subsetOf = subsetOf;
    const root = lab.ui.root;
    const canvas = lab.ui.canvas;
    const id = uniquePrefix();
    this.id = id;

    this.toggle = element('button', {type: 'button', className: 'cnnlab-textview-toggle',
                                     'aria-pressed': 'false', 'aria-controls': `${id}-textview`},
                          'Text view');
    this.toggle.hidden = true;  // until the lab runs
    this.toggle.addEventListener('click', () => this.show(!this.shown));

    this.panel = element('section', {id: `${id}-textview`, 'aria-labelledby': `${id}-title`,
                                     className: 'cnnlab-textview cnnlab-visually-hidden'});
    const title = element('h2', {id: `${id}-title`}, 'CNN Lab as text');
    const note = element('p', {className: 'cnnlab-textview-note'},
        'What the lab draws, as text: its status, settings and results, updated as it trains.');
    const latestHeading = element('h3', {id: `${id}-latest`}, 'Latest');
    const region = element('p', {className: 'cnnlab-announcement', id: `${id}-announcement`,
                                 'aria-labelledby': `${id}-latest`});
    this.announcer = new Announcer(region);
    this.statusList = element('dl', {className: 'cnnlab-facts', 'aria-labelledby': `${id}-status`});
    this.settingsList = element('dl', {className: 'cnnlab-facts', 'aria-labelledby': `${id}-settings`});
    this.runsBox = element('div', {className: 'cnnlab-tables'});
    this.testBox = element('div', {className: 'cnnlab-tables'});
    this.experimentBox = element('div', {className: 'cnnlab-tables'});
    this.guideBox = element('div', {className: 'cnnlab-lesson'});
    this.panel.append(
        title, note, latestHeading, region,
        element('h3', {}, 'Lesson'), this.guideBox,
        element('h3', {id: `${id}-status`}, 'Status'), this.statusList,
        element('h3', {id: `${id}-settings`}, 'Settings'), this.settingsList,
        element('h3', {}, 'Training history'), this.runsBox,
        element('h3', {}, 'Test results'), this.testBox,
        element('h3', {}, 'Experiment'), this.experimentBox);

    // The canvas: an application (it takes its own keys) whose description points here.
    const description = element('p', {id: `${id}-canvas-description`,
                                       className: 'cnnlab-visually-hidden'},
        'The lab is drawn on a canvas, which screen readers cannot read. Its status, settings ' +
        'and results are given as text in the text view before it; the Text view button shows ' +
        'that text on screen.');
    canvas.setAttribute('aria-describedby', description.id);

    root.insertBefore(this.toggle, canvas);
    root.insertBefore(this.panel, canvas);
    root.insertBefore(description, canvas);

    this.shown = false;
    this.timer = null;
    this.signatures = new Map();  // table box -> what it was last drawn from
    this.phase = null;
    this.filesNoticeSeen = '';    // the files notice last said (followFilesNotice)
    this.experimentSeen = null;   // {id, running, done} of the experiment at the last sync
    this.showEmptyStates();
  }

  // Shows the text view on screen (on) or hides it visually (off; screen readers still read it).
  show(on) {
    this.shown = Boolean(on);
    this.toggle.setAttribute('aria-pressed', String(this.shown));
    this.panel.classList.toggle('cnnlab-visually-hidden', !this.shown);
    this.panel.classList.toggle('cnnlab-textview-shown', this.shown);
    this.lab.ui.root.classList.toggle('cnnlab-textview-on', this.shown);
    for (const box of this.panel.querySelectorAll('.cnnlab-table-box')) this.focusable(box);
    if (this.shown) this.sync();
  }

  // A table's scroll box is a named region that takes the focus (to scroll it by keyboard) only
  // while the text view is on screen: hidden, it would be an invisible tab stop, and a landmark
  // per table only clutters a screen reader's list (the tables have their captions).
  focusable(box) {
    if (this.shown) {
      box.setAttribute('tabindex', '0');
      box.setAttribute('role', 'region');
      box.setAttribute('aria-labelledby', box.dataset.caption);
    } else {
      for (const name of ['tabindex', 'role', 'aria-labelledby']) box.removeAttribute(name);
    }
  }

  showEmptyStates() {
    this.fillBox(this.runsBox, 'none', () => [element('p', {}, 'No runs yet.')]);
    this.fillBox(this.testBox, 'none', () => [element('p', {}, 'No run has been tested yet.')]);
    this.fillBox(this.experimentBox, 'none', () => [element('p', {}, 'No experiment yet.')]);
  }

  // ---- [SECTION] Keeping it in sync -------------------------------------------------------------

  // Starts following the lab (once it runs): the events for announcements, a sync a second. (A
  // lab is never unmounted, so neither stops.)
  watch(api) {
    if (this.timer) return;
    this.api = api;
    this.toggle.hidden = false;
    const events = this.lab.events;
    events.on('phase', ({phase}) => this.phaseChanged(phase));
    events.on('epoch', (record) => this.announcer.say(
        epochSentence(record), {key: `epoch ${record.run}:${record.epoch}`, kind: 'epoch'}));
    events.on('done', (detail) => this.announcer.say(
        doneSentence(detail), {key: `done ${detail.run}`, kind: 'done'}));
    this.sync();
    this.timer = setInterval(() => this.sync(), SYNC_INTERVAL_MS);
  }

  phaseChanged(phase) {
    let state;
    try {
      state = this.api.state();
    } catch (e) {
      return;
    }
    const previous = this.phase;
    this.phase = phase;
    const text = phaseSentence(phase, previous, state);
    // A phase is said again when it comes back later (a second pause), not twice for one change.
    // A run's start is a kind of its own: a pause or resume right after it (within the region's
    // one-second pacing) is said with it, not instead of it, so the listener still hears which
    // run, model, epochs and batch started. Pauses and resumes replace each other while waiting.
    const kind = phase === 'training' && previous !== 'paused' ? 'start' : 'phase';
    if (text) this.announcer.say(text, {key: `phase ${phase} ${Date.now()}`, kind});
  }

  sync() {
    if (!this.api) return;
    let state, history;
    try {
      state = this.api.state();
      history = this.api.history();
    } catch (e) {
      return;  // the instance aborted: its error is reported elsewhere
    }
    // What results() returns, without reading the whole state a second time.
    const experiment = state.experiment || null;
    this.followTheme(state);
    this.followExperiment(experiment);
    this.followFilesNotice(state.files);
    fillList(this.statusList, this.statusPairs(state));
    fillList(this.settingsList, this.settingsPairs(state));
    const classNames = this.classNames(state);
    this.drawRuns(history);
    this.drawTests(history, classNames);
    this.drawExperiment(experiment);
    this.drawGuide(state.guide || null);
  }

  // The Guide tab's open lesson: the shown step's text (the student's numbers filled in by the
  // app), what completes it, and its questions with the answers behind a disclosure. Lesson text
  // is set as text, never as HTML.
  drawGuide(guide) {
    this.fillBox(this.guideBox, JSON.stringify(guide), () => {
      if (!guide) return [element('p', {}, 'No lesson is open (the Guide tab lists them).')];
      const out = [element('p', {}, `${guide.title}: step ${guide.step} of ${guide.steps}, ` +
                                    `${guide.completed.length} done.`),
                   element('h4', {}, guide.stepTitle)];
      for (const paragraph of guide.text.split('\n\n')) {
        const lines = paragraph.split('\n');
        if (lines.every((line) => line.startsWith('- '))) {
          const list = element('ul', {});
          for (const line of lines) list.append(element('li', {}, line.slice(2)));
          out.push(list);
        } else {
          out.push(element('p', {}, paragraph));
        }
      }
      const done = guide.completed.includes(guide.step);
      out.push(element('p', {}, `${done ? 'Done' : 'To do'}: this step is done when ${guide.done}.`));
      if (guide.setUp) out.push(element('p', {}, `Set it up for me: ${guide.setUp}`));
      if (guide.message) out.push(element('p', {}, guide.message));
      for (const q of guide.questions) {
        const details = element('details', {});
        details.append(element('summary', {}, `Question: ${q.question}`), element('p', {}, q.answer));
        out.push(details);
      }
      return out;
    });
  }

  // The File menu's outcome (a model loaded, your own dataset loaded or refused with the file and
  // the reason, ...) is said once each time the notice changes; a page's first notice too.
  followFilesNotice(files) {
    const notice = files && files.notice ? files.notice : '';
    if (notice === this.filesNoticeSeen) return;
    this.filesNoticeSeen = notice;
    if (notice) this.announcer.say(notice, {key: `files ${Date.now()} ${notice}`, kind: 'files'});
  }

  // The lab's element follows the app's theme (the View menu changes it too), so the text view
  // and the overlays match the canvas.
  followTheme(state) {
    const dark = Boolean(state.ui && state.ui.theme === 'dark');
    if (dark !== this.lab.ui.root.classList.contains('cnnlab-dark')) this.lab.ui.setDark(dark);
  }

  // An experiment has no phase of its own (the lab's phase stays where the last single run left
  // it): its start, pause, resumption and end are read from results() at each sync.
  followExperiment(x) {
    if (!x) return;
    const before = this.experimentSeen && this.experimentSeen.id === x.id ? this.experimentSeen : null;
    this.experimentSeen = {id: x.id, running: x.running, done: x.done};
    const say = (text, what) => this.announcer.say(
        text, {key: `experiment ${x.id} ${what} ${Date.now()}`, kind: 'experiment'});
    if (x.done) {
      if (!before || !before.done) {
        this.announcer.say(experimentDoneSentence(x), {key: `experiment ${x.id} done`, kind: 'experiment'});
      }
    } else if (x.running && !before) {
      say(`Experiment started: ${experimentLabel(x)}.`, 'started');
    } else if (x.running && !before.running) {
      say('Experiment resumed.', 'resumed');
    } else if (!x.running && before && before.running) {
      say('Experiment paused.', 'paused');
    }
  }

  classNames(state) {
    const k = state.dataset ? state.dataset.classes : 0;
    const names = state.dataset && Array.isArray(state.dataset.classNames) ? state.dataset.classNames : [];
    return Array.from({length: k}, (_, i) => names[i] || `class ${i}`);
  }

  statusPairs(s) {
    // During an experiment the lab's own phase is the last single run's (often 'ready'): say
    // what is really going on.
    const x = s.experiment;
    const phase = x && x.running ? `experiment running (${experimentLabel(x)}; see Experiment below)`
        : s.phase === 'error' ? `error: ${s.error}` : s.phase;
    const pairs = [['Phase', phase]];
    if (s.ui && s.ui.status && s.ui.status !== s.phase) pairs.push(['Lab status', s.ui.status]);
    pairs.push(
        ['Run', s.run ? String(s.run) : UNKNOWN],
        ['Epochs done', s.epochs ? `${s.epoch || 0} of ${s.epochs}` : UNKNOWN],
        ['Steps', s.stepsPerEpoch ? `${count(s.step)} (${count(s.stepsPerEpoch)} per epoch)` : count(s.step)],
        ['Progress of the run', typeof s.progress === 'number' ? `${Math.round(s.progress * 100)} %` : UNKNOWN],
        ['Training loss, accuracy', lossAndAccuracy(s.trainLoss, s.trainAcc)],
        ['Validation loss, accuracy', lossAndAccuracy(s.valLoss, s.valAcc)],
        ['Test accuracy, loss', s.testAcc === null || s.testAcc === undefined ? 'not tested yet'
            : `${percent(s.testAcc)}, ${loss(s.testLoss)} (weights of epoch ${s.testEpoch})`],
        ['Training speed', s.imagesPerSecond ? `${count(s.imagesPerSecond)} images/s` : 'not measured yet']);
    if (s.phase === 'training' && s.etaSeconds) pairs.push(['Time left', duration(s.etaSeconds)]);
    if (s.stopReason) pairs.push(['Stopped because', s.stopReason]);
    return pairs;
  }

  settingsPairs(s) {
    const o = s.options || {};
    const d = s.dataset;
    const subset = this.subsetOf();
    const optimizer = o.optimizer === 'sgd'
      ? `sgd, momentum ${setting(o.momentum)}${o.nesterov ? ', Nesterov' : ''}` : setting(o.optimizer);
    const schedules = {
      constant: 'constant',
      step: `step: × ${setting(o.lrGamma)} every ${setting(o.lrStepEpochs)} epochs`,
      cosine: `cosine: down to ${setting(o.lrMin)} by the last epoch`,
    };
    const augmentation = [o.flip ? 'random flips' : '', o.shift ? `shifts of up to ${o.shift} px` : '']
        .filter(Boolean).join(' and ');
    const pairs = [
      ['Dataset', d ? `${d.name}: ${d.split} images, ${d.classes} classes` : 'none loaded'],
    ];
    if (subset) pairs.push(['Subset', subset]);
    pairs.push(
        ['Model', modelName(s.model)]);
    if (o.model === 'custom' && o.spec) pairs.push(['Layers', layerList(o.spec)]);
    pairs.push(
        ['Parameters', s.model ? count(s.model.params) : UNKNOWN],
        ['Epochs', setting(o.epochs)],
        ['Batch size', setting(o.batch)],
        ['Optimizer', optimizer],
        ['Weight decay', setting(o.weightDecay)],
        ['Gradient clipping', o.clipNorm ? `global norm at most ${setting(o.clipNorm)}` : 'off'],
        ['Learning rate', setting(o.lr)],
        ['Learning-rate schedule', schedules[o.lrSchedule] || setting(o.lrSchedule)],
        ['Early stopping', o.patience ? `after ${o.patience} epochs without a better validation loss` : 'off'],
        ['Augmentation', augmentation || 'off'],
        ['Validation fraction', typeof o.valFraction === 'number' ? percent(o.valFraction) : UNKNOWN],
        ['Seed', setting(o.seed)]);
    return pairs;
  }

  // ---- [SECTION] Tables -------------------------------------------------------------------------

  // Replaces box's content with make()'s elements when signature differs from the last one.
  fillBox(box, signature, make) {
    if (this.signatures.get(box) === signature) return;
    this.signatures.set(box, signature);
    box.replaceChildren(...make());
    for (const scroller of box.querySelectorAll('.cnnlab-table-box')) this.focusable(scroller);
  }

  // A table in a scroll box of its own: {name (data-table), caption, columns: [header...],
  // rows: [[row header, cell...]]}. The first column holds the rows' header cells. The caption
  // is shown above the box (a <caption> is as wide as its table and would scroll out of view with
  // it), hidden from screen readers there, which read the table's own <caption>.
  table({name, caption, columns, rows}) {
    const captionId = `${this.id}-${name}-caption`;
    const shownCaption = element('p', {className: 'cnnlab-table-caption', 'aria-hidden': 'true'},
                                 caption);
    const box = element('div', {className: 'cnnlab-table-box', 'data-caption': captionId});
    const table = element('table', {className: 'cnnlab-table', 'data-table': name});
    table.appendChild(element('caption', {id: captionId, className: 'cnnlab-visually-hidden'},
                              caption));
    const head = element('thead');
    const headRow = element('tr');
    for (const column of columns) headRow.appendChild(element('th', {scope: 'col'}, column));
    head.appendChild(headRow);
    const body = element('tbody');
    for (const [header, ...cells] of rows) {
      const row = element('tr');
      row.appendChild(element('th', {scope: 'row'}, header));
      for (const cell of cells) row.appendChild(element('td', {}, cell));
      body.appendChild(row);
    }
    table.append(head, body);
    box.appendChild(table);
    const figure = element('div', {className: 'cnnlab-table-figure'});
    figure.append(shownCaption, box);
    return figure;
  }

  drawRuns(history) {
    const signature = JSON.stringify(history.map((r) => [r.run, r.label, r.epochs, r.stopReason]));
    this.fillBox(this.runsBox, signature, () => {
      if (!history.length) return [element('p', {}, 'No runs yet.')];
      return history.map((run) => this.table({
        name: `history-run-${run.run}`,
        caption: `${run.label}: each epoch${run.stopReason ? ` (${run.stopReason})` : ''}`,
        columns: ['Epoch', 'Training loss', 'Training accuracy', 'Validation loss',
                  'Validation accuracy', 'Images/s', 'Time'],
        rows: run.epochs.length ? run.epochs.map((e) => [
          String(e.epoch), loss(e.trainLoss), percent(e.trainAcc), loss(e.valLoss),
          percent(e.valAcc), count(e.imagesPerSecond), duration(e.seconds)])
            : [['none yet', UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN]],
      }));
    });
  }

  drawTests(history, classNames) {
    const tested = history.filter((r) => typeof r.testAcc === 'number');
    const latest = [...tested].reverse().find((r) => Array.isArray(r.testConfusion));
    const signature = JSON.stringify([tested.map((r) => [r.run, r.testAcc, r.testLoss, r.testEpoch]),
                                      latest ? [latest.run, latest.testConfusion] : null, classNames]);
    this.fillBox(this.testBox, signature, () => {
      if (!tested.length) return [element('p', {}, 'No run has been tested yet.')];
      const parts = [this.table({
        name: 'test-results',
        caption: 'Test results of each run',
        columns: ['Run', 'Model', 'Epochs trained', 'Tested epoch', 'Test accuracy', 'Test loss',
                  'Stopped because'],
        rows: tested.map((r) => [r.label, modelOf(r), String(r.epochs.length),
                                 r.testEpoch ? String(r.testEpoch) : UNKNOWN, percent(r.testAcc),
                                 loss(r.testLoss), r.stopReason || UNKNOWN]),
      })];
      if (latest) parts.push(...this.classTables(latest, classNames));
      return parts;
    });
  }

  // Per-class metrics and the confusion matrix of a run's test confusion counts [true][predicted].
  classTables(run, classNames) {
    const m = run.testConfusion;
    const k = m.length;
    const names = Array.from({length: k}, (_, i) => classNames[i] || `class ${i}`);
    const total = m.reduce((sum, row) => sum + row.reduce((a, b) => a + b, 0), 0);
    const metrics = names.map((name, c) => {
      const images = m[c].reduce((a, b) => a + b, 0);
      const predicted = m.reduce((sum, row) => sum + row[c], 0);
      const correct = m[c][c];
      const recall = images ? correct / images : null;
      const precision = predicted ? correct / predicted : null;
      const f1 = recall !== null && precision !== null && recall + precision > 0
          ? (2 * recall * precision) / (recall + precision) : null;
      return [name, count(images), count(correct), percent(recall), percent(precision), percent(f1)];
    });
    return [
      this.table({
        name: 'class-metrics',
        caption: `Per-class test metrics of ${run.label}`,
        columns: ['Class', 'Test images', 'Correct', 'Recall', 'Precision', 'F1 score'],
        rows: metrics,
      }),
      this.table({
        name: 'confusion',
        caption: `Confusion matrix of ${run.label} on ${count(total)} test images: a row per true ` +
                 'class, a column per predicted class',
        columns: ['True class', ...names.map((n) => `predicted ${n}`)],
        rows: m.map((row, i) => [names[i], ...row.map((n) => count(n))]),
      }),
    ];
  }

  drawExperiment(x) {
    const signature = x ? JSON.stringify([x.id, x.running, x.done, x.summary, x.interpretation,
                                          x.identicalDataOrder,
                                          x.runs.map((r) => [r.status, r.epoch, r.testAcc, r.bestValAcc])])
        : 'none';
    this.fillBox(this.experimentBox, signature, () => {
      if (!x) return [element('p', {}, 'No experiment yet.')];
      const config = x.config || {};
      const what = `Experiment ${x.id}: ${config.vary} = ${(config.values || []).join(', ')}, ` +
                   `${config.repeats} ${config.repeats === 1 ? 'seed' : 'seeds'} each; ` +
                   (x.running ? `running, ${Math.round((x.progress || 0) * 100)} % done.`
                       : x.done ? 'done.' : 'paused.');
      const parts = [element('p', {}, what)];
      if (x.interpretation) parts.push(element('p', {}, x.interpretation));
      if (x.summary && x.summary.length) {
        parts.push(this.table({
          name: 'experiment-summary',
          caption: `Experiment ${x.id}: results per configuration (mean over seeds)`,
          columns: ['Configuration', 'Best', 'Parameters', 'MACs per image', 'Training images/s',
                    'Time per run', 'Best validation accuracy', 'Test accuracy', 'Test accuracy std',
                    'Test loss', 'Tested epochs'],
          rows: x.summary.map((r) => [r.configuration, r.winner ? 'yes' : 'no', count(r.parameters),
                                      count(r.macs), count(r.images_per_second), duration(r.seconds),
                                      percent(r.best_val_accuracy_mean), percent(r.test_accuracy_mean),
                                      percent(r.test_accuracy_std), loss(r.test_loss_mean),
                                      String(r.tested_epochs)]),
        }));
      }
      parts.push(this.table({
        name: 'experiment-runs',
        caption: `Experiment ${x.id}: every run`,
        columns: ['Configuration', 'Seed', 'Status', 'Epochs done', 'Best validation accuracy',
                  'Test accuracy', 'Test loss'],
        rows: x.runs.map((r) => [r.configuration, String(r.seed), r.status,
                                 `${r.epoch} of ${r.options ? r.options.epochs : UNKNOWN}`,
                                 percent(r.bestValAcc), percent(r.testAcc), loss(r.testLoss)]),
      }));
      if (x.done && typeof x.identicalDataOrder === 'boolean') {
        parts.push(element('p', {}, x.identicalDataOrder
            ? 'Every configuration saw the same data in the same order.'
            : 'The configurations did not all see the same data order.'));
      }
      return parts;
    });
  }
}

// "2.157, 20.0 %"; "not yet" before the first figures.
function lossAndAccuracy(lossValue, accuracy) {
  if (typeof lossValue !== 'number' && typeof accuracy !== 'number') return 'not yet';
  return `${loss(lossValue)}, ${percent(accuracy)}`;
}

// "cnn 3×3" from a run's options (a custom model's kernels are in its layers, not in kernel).
function modelOf(run) {
  const o = run.options || {};
  const convolutionalPreset = o.model && !o.model.startsWith('mlp') && o.model !== 'custom';
  return modelName({name: o.model, kernel: convolutionalPreset ? o.kernel : null});
}

// A custom model's spec text as one line: "conv2d 32 k=3 pad=same, relu, ..." (comments dropped).
function layerList(spec) {
  return spec.split(/[;\n]/).map((line) => line.replace(/#.*/, '').trim()).filter(Boolean).join(', ');
}
