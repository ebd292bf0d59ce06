// The Webcam classes panel: a DOM panel over the lab's canvas (File > Webcam classes..., or the
// API's webcam()) where the student names 2 to 10 classes, records frames of the camera into each
// by holding its Record button (pointer held, or Space held on the focused button), trains on
// them ("Train on these": the frames become an image-folder tar that loads through the lab's
// upload path, then a run starts), and watches the network's guess on the live camera image,
// whose feature maps Inside the network shows. Closing it releases the camera.
//
// Without a camera (refused, none found, an insecure page, the track ending mid-recording) the
// panel says why in its status line and keeps every recorded frame; the lab's dataset and
// training are touched only by a successful "Train on these".
//
// [SECTION] Building the panel
// [SECTION] The camera
// [SECTION] Classes and recording
// [SECTION] Training
// [SECTION] Live prediction
// [SECTION] State for the API

import { Camera, problemHeadline } from './webcam-camera.js';
import { MAX_CLASSES, MAX_FRAMES_PER_CLASS, MIN_CLASSES, WEBCAM_DATASET_NAME, classesProblem,
         classesToTar, defaultClassName } from './webcam-dataset.js';

// Frames recorded per second while a Record button is held.
const RECORD_FPS = 8;
// Live predictions per second (each classifies one frame in the app and redraws its maps).
const PREDICT_FPS = 3;

function element(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function button(className, text, title) {
  const b = element('button', className, text);
  b.type = 'button';
  if (title) b.title = title;
  return b;
}

export class WebcamPanel {
  // lab: the Lab (mount.js) whose upload path, app and API the panel uses.
  constructor(lab) {
    this.lab = lab;
    this.classes = [];       // [{name, frames: [Uint8Array PNG]}], in the rows' order
    this.recording = -1;     // the class being recorded into (-1: none)
    this.recordTimer = null;
    this.problem = '';       // why there is no camera ('' when it runs or was not asked yet)
    this.message = '';       // the status line's text
    this.training = false;   // "Train on these" is loading the frames
    this.trained = false;    // the lab's dataset is these classes: live prediction may run
    this.paused = false;
    this.prediction = null;  // {label, probability} of the last live frame
    this.predictions = 0;    // live frames classified since the panel opened
    this.predictTimer = null;
    this.predicting = false;
    this.build();
    this.camera = new Camera(this.video, (message) => this.cameraLost(message));
    for (let i = 0; i < MIN_CLASSES; ++i) this.addClass();
  }

  // ---- [SECTION] Building the panel -------------------------------------------------------------

  build() {
    this.root = element('section', 'cnnlab-webcam');
    this.root.hidden = true;
    this.root.setAttribute('role', 'dialog');
    this.root.setAttribute('aria-modal', 'false');
    this.root.setAttribute('aria-labelledby', 'cnnlab-webcam-title');
    const header = element('div', 'cnnlab-webcam-header');
    const title = element('h2', 'cnnlab-webcam-title', 'Webcam classes');
    title.id = 'cnnlab-webcam-title';
    title.tabIndex = -1;  // focused on open (a text field would pop up a phone's keyboard)
    this.title = title;
    this.closeButton = button('cnnlab-webcam-close', 'Close', 'Close the panel and switch the camera off');
    this.closeButton.addEventListener('click', () => this.close());
    header.append(title, this.closeButton);

    const help = element('p', 'cnnlab-webcam-help',
        'Name your classes, hold a Record button (or Space on it) while you show the camera ' +
        'an example, then train. Frames are square crops of the centre, as the preview shows.');

    this.previewBox = element('div', 'cnnlab-webcam-preview');
    this.video = element('video', 'cnnlab-webcam-video');
    this.video.muted = true;
    this.video.playsInline = true;
    this.video.setAttribute('aria-label', 'Camera preview: the square the frames are taken from');
    this.absent = element('p', 'cnnlab-webcam-absent', 'The camera is off.');
    this.recordingBadge = element('span', 'cnnlab-webcam-badge', 'Recording');
    this.recordingBadge.hidden = true;
    this.guess = element('p', 'cnnlab-webcam-guess', '');
    this.guess.hidden = true;
    this.previewBox.append(this.video, this.absent, this.recordingBadge, this.guess);

    this.retryButton = button('cnnlab-webcam-retry', 'Try the camera again',
                              'Ask the browser for the camera once more');
    this.retryButton.hidden = true;
    this.retryButton.addEventListener('click', () => this.startCamera());

    this.list = element('ol', 'cnnlab-webcam-classes');
    this.list.setAttribute('aria-label', 'Classes and their recorded frames');
    this.addButton = button('cnnlab-webcam-add', 'Add a class', `Add another class (up to ${MAX_CLASSES})`);
    this.addButton.addEventListener('click', () => {
      this.addClass();
      const inputs = this.list.querySelectorAll('input');
      inputs[inputs.length - 1].focus();
    });

    const actions = element('div', 'cnnlab-webcam-actions');
    this.trainButton = button('cnnlab-webcam-train', 'Train on these',
                              'Make these frames the dataset and train the network on them');
    this.trainButton.addEventListener('click', () => { this.trainOnThese().catch(() => {}); });
    this.pauseButton = button('cnnlab-webcam-pause', 'Pause live guess',
                              'Stop or resume classifying the camera image a few times a second');
    this.pauseButton.setAttribute('aria-pressed', 'false');
    this.pauseButton.disabled = true;
    this.pauseButton.addEventListener('click', () => this.setPaused(!this.paused));
    actions.append(this.trainButton, this.pauseButton);

    // The status line: what happened or why the camera is absent (said by screen readers).
    this.status = element('p', 'cnnlab-webcam-status', '');
    this.status.setAttribute('role', 'status');
    this.status.setAttribute('aria-live', 'polite');
    // The live guess, said only when it changes class (not three times a second).
    this.spoken = element('p', 'cnnlab-visually-hidden', '');
    this.spoken.setAttribute('aria-live', 'polite');

    this.root.append(header, help, this.previewBox, this.retryButton, this.status, this.list,
                     this.addButton, actions, this.spoken);
    this.root.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        this.close();
      }
    });
    this.lab.ui.root.appendChild(this.root);
  }

  get isOpen() { return !this.root.hidden; }

  // Shows the panel and starts the camera; resolves with state() once the camera runs or why
  // not is known.
  async open() {
    if (!this.isOpen) {
      this.root.hidden = false;
      this.title.focus({preventScroll: true});
    }
    // The lab's dataset is already recorded classes (kept from an earlier visit): guess live.
    const dataset = this.lab.api.state().dataset;
    if (!this.trained && dataset && dataset.name === WEBCAM_DATASET_NAME) {
      this.trained = true;
      this.pauseButton.disabled = false;
    }
    await this.startCamera();
    return this.state();
  }

  // Hides the panel: recording and live prediction stop, the camera is released; the recorded
  // frames stay for the next open.
  close() {
    if (!this.isOpen) return;
    this.stopRecording();
    this.stopLive();
    this.camera.stop();
    this.root.hidden = true;
    this.showCameraState();
    this.lab.ui.canvas.focus({preventScroll: true});
  }

  setMessage(text) {
    this.message = text;
    this.status.textContent = text;
  }

  // ---- [SECTION] The camera ---------------------------------------------------------------------

  async startCamera() {
    this.retryButton.hidden = true;
    this.absent.textContent = 'Starting the camera…';
    this.setMessage('Starting the camera…');
    this.problem = await this.camera.start();
    if (!this.isOpen) {
      this.camera.stop();  // closed while the browser was asking
      return;
    }
    this.setMessage(this.problem || (this.trained ? 'The camera is on: the guess is live.'
                                                  : 'The camera is on.'));
    this.showCameraState();
    if (!this.problem && this.trained) this.startLive();
  }

  cameraLost(message) {
    const was = this.recording;
    this.stopRecording();
    this.stopLive();
    this.problem = message;
    this.setMessage(was >= 0 ? `${message} (recording into '${this.classes[was].name}' stopped ` +
                               `at ${this.classes[was].frames.length} frames.)` : message);
    this.showCameraState();
  }

  // The preview or, without a camera, the reason in its place; Record needs the camera.
  showCameraState() {
    const on = this.camera.running;
    this.video.hidden = !on;
    this.absent.hidden = on;
    // The reason in short (the status line below says it whole).
    if (!on) this.absent.textContent = this.problem ? problemHeadline(this.problem) : 'The camera is off.';
    this.retryButton.hidden = on || !this.problem;
    for (const row of this.list.children) {
      row.querySelector('.cnnlab-webcam-record').disabled = !on;
    }
    this.guess.hidden = !on || !this.trained || !this.prediction;
  }

  // ---- [SECTION] Classes and recording ----------------------------------------------------------

  addClass() {
    if (this.classes.length >= MAX_CLASSES) return;
    const entry = {name: defaultClassName(this.classes.length), frames: []};
    this.classes.push(entry);
    const row = element('li', 'cnnlab-webcam-class');
    const name = element('input', 'cnnlab-webcam-name');
    name.type = 'text';
    name.value = entry.name;
    name.maxLength = 40;
    name.spellcheck = false;
    name.addEventListener('input', () => { entry.name = name.value; this.renumber(); });
    const record = button('cnnlab-webcam-record', 'Hold to record',
                          'Hold (mouse, finger, or Space) to record camera frames into this class');
    const count = element('span', 'cnnlab-webcam-count', '0 frames');
    const remove = button('cnnlab-webcam-remove', 'Remove', 'Remove this class and its frames');
    const index = () => this.classes.indexOf(entry);
    record.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      e.preventDefault();
      record.setPointerCapture(e.pointerId);
      this.startRecording(index());
    });
    for (const type of ['pointerup', 'pointercancel', 'lostpointercapture']) {
      record.addEventListener(type, () => this.stopRecording());
    }
    record.addEventListener('keydown', (e) => {
      if (e.key !== ' ' && e.key !== 'Enter') return;
      e.preventDefault();  // no click, no page scroll
      if (!e.repeat) this.startRecording(index());
    });
    record.addEventListener('keyup', (e) => {
      if (e.key === ' ' || e.key === 'Enter') this.stopRecording();
    });
    record.addEventListener('blur', () => this.stopRecording());
    remove.addEventListener('click', () => {
      const i = index();
      if (i < 0 || this.classes.length <= MIN_CLASSES) return;
      if (this.recording === i) this.stopRecording();
      this.classes.splice(i, 1);
      row.remove();
      this.renumber();
    });
    row.append(name, record, count, remove);
    entry.row = row;
    entry.count = count;
    this.list.appendChild(row);
    this.renumber();
    this.showCameraState();
  }

  // Labels, counts and which buttons are on after a change of the classes.
  renumber() {
    this.classes.forEach((entry, i) => {
      const label = entry.name.trim() || `class ${i + 1}`;
      entry.row.querySelector('.cnnlab-webcam-name').setAttribute('aria-label', `Class ${i + 1} name`);
      entry.row.querySelector('.cnnlab-webcam-record').setAttribute('aria-label', `Hold to record frames of ${label}`);
      entry.row.querySelector('.cnnlab-webcam-remove').setAttribute('aria-label', `Remove ${label}`);
      entry.row.querySelector('.cnnlab-webcam-remove').disabled = this.classes.length <= MIN_CLASSES;
      const n = entry.frames.length;
      entry.count.textContent = `${n} frame${n === 1 ? '' : 's'}`;
    });
    this.addButton.disabled = this.classes.length >= MAX_CLASSES;
  }

  startRecording(index) {
    if (index < 0 || this.recording >= 0) return;
    const problem = this.camera.check();
    if (problem) return;  // cameraLost said why
    this.recording = index;
    const entry = this.classes[index];
    this.setMessage(`Recording ${entry.name.trim() || `class ${index + 1}`}…`);
    entry.row.classList.add('cnnlab-webcam-recording');
    this.recordingBadge.hidden = false;
    this.recordingBadge.textContent = `Recording ${entry.name.trim() || `class ${index + 1}`}`;
    const tick = async () => {
      if (this.recording !== index) return;
      if (this.camera.check()) return;
      if (entry.frames.length >= MAX_FRAMES_PER_CLASS) {
        this.setMessage(`'${entry.name}' has ${MAX_FRAMES_PER_CLASS} frames, the most a class keeps.`);
        this.stopRecording();
        return;
      }
      const png = await this.camera.grabPng();
      if (png && this.recording === index && this.classes.includes(entry)) {
        entry.frames.push(png);
        this.renumber();
      }
      if (this.recording === index) this.recordTimer = setTimeout(tick, 1000 / RECORD_FPS);
    };
    tick();
  }

  stopRecording() {
    if (this.recording < 0) return;
    const entry = this.classes[this.recording];
    if (entry) {
      entry.row.classList.remove('cnnlab-webcam-recording');
      const n = entry.frames.length;
      this.setMessage(`${entry.name.trim() || `Class ${this.recording + 1}`}: ${n} frame${n === 1 ? '' : 's'} recorded.`);
    }
    this.recording = -1;
    clearTimeout(this.recordTimer);
    this.recordTimer = null;
    this.recordingBadge.hidden = true;
  }

  // ---- [SECTION] Training -----------------------------------------------------------------------

  // The recorded frames become the lab's dataset (its Data panel shows them; the browser keeps
  // them for the next visit) and a training run starts. Resolves with state(); rejects with an
  // Error saying why (also the status line); the dataset and runs are untouched then.
  async trainOnThese() {
    const refuse = (text) => {
      this.setMessage(text);
      return new Error(text);
    };
    if (this.training) throw refuse('The frames are being loaded already.');
    this.stopRecording();
    const problem = classesProblem(this.classes);
    if (problem) throw refuse(problem);
    const ui = this.lab.api.state().ui;
    if (ui && ui.readOnly) {
      throw refuse('This page fixes the lab\'s dataset (read-only), so training on your own classes is off.');
    }
    this.training = true;
    this.trainButton.disabled = true;
    this.stopLive();
    this.setMessage('Loading your frames…');
    try {
      const tar = classesToTar(this.classes);
      await this.lab.loadUpload(tar, `${WEBCAM_DATASET_NAME}.tar`, undefined, true);
    } catch (e) {
      throw refuse(`Your frames were not loaded: ${e.message}`);
    } finally {
      this.training = false;
      this.trainButton.disabled = false;
    }
    this.trained = true;
    this.prediction = null;
    try {
      this.lab.api.train();
      this.setMessage('Training on your frames. The guess on the preview is live; Inside ' +
                      'the network shows the camera image\'s feature maps.');
    } catch (e) {
      this.setMessage(`Your frames are loaded, but training did not start: ${e.message}. ` +
                      'Press Start in the Training panel.');
    }
    if (this.camera.running) this.startLive();
    this.pauseButton.disabled = false;
    return this.state();
  }

  // ---- [SECTION] Live prediction ----------------------------------------------------------------

  setPaused(paused) {
    this.paused = paused;
    this.pauseButton.textContent = paused ? 'Resume live guess' : 'Pause live guess';
    this.pauseButton.setAttribute('aria-pressed', String(paused));
    if (paused) this.stopLive();
    else if (this.camera.running && this.trained) this.startLive();
  }

  startLive() {
    if (this.predictTimer || this.paused || !this.trained) return;
    this.pauseButton.disabled = false;
    // Inside the network once, where the maps appear; the student may then pick another tab.
    try { this.lab.api.showPanel('inside'); } catch (e) { /* the app is not running */ }
    const tick = async () => {
      this.predictTimer = setTimeout(tick, 1000 / PREDICT_FPS);
      if (this.predicting || document.visibilityState === 'hidden') return;
      this.predicting = true;
      try {
        await this.predictOnce();
      } finally {
        this.predicting = false;
      }
    };
    this.predictTimer = setTimeout(tick, 0);
  }

  stopLive() {
    clearTimeout(this.predictTimer);
    this.predictTimer = null;
  }

  // Classifies the current frame in the app (its maps go to Inside the network, no notice).
  async predictOnce() {
    if (this.camera.check()) return;
    const dataset = this.lab.api.state().dataset;
    if (!dataset || dataset.name !== WEBCAM_DATASET_NAME) {
      // Another dataset was loaded since: its classes are not the camera's.
      this.trained = false;
      this.stopLive();
      this.prediction = null;
      this.pauseButton.disabled = true;
      this.showCameraState();
      this.setMessage('The lab has another dataset now: press Train on these to guess your ' +
                      'classes again.');
      return;
    }
    const png = await this.camera.grabPng();
    if (!png || !this.predictTimer || !this.lab.appRunning || !this.lab.app.callable) return;
    const error = this.lab.app.openFile('frame', png, 'camera');
    if (error) {
      // No model yet (the first mini-batch has not arrived): try again on the next tick.
      this.guess.hidden = true;
      return;
    }
    const photo = this.lab.app.photo();
    if (!photo || !photo.top3 || !photo.top3.length) return;
    const best = photo.top3[0];
    const changed = !this.prediction || this.prediction.label !== best.label;
    this.prediction = {label: best.label, probability: best.probability};
    this.predictions += 1;
    this.guess.textContent = `${best.label} ${(100 * best.probability).toFixed(0)} %`;
    this.guess.hidden = false;
    if (changed) this.spoken.textContent = `The network sees ${best.label}.`;
  }

  // ---- [SECTION] State for the API --------------------------------------------------------------

  // state().webcam: {open, camera ('on' | 'off'), problem (why there is no camera, or null),
  // message, classes: [{name, frames}], recording (class index or null), trained, live, paused,
  // prediction ({label, probability} or null), predictions (live frames classified)}.
  state() {
    return {
      open: this.isOpen,
      camera: this.camera.running ? 'on' : 'off',
      problem: this.problem || null,
      message: this.message,
      classes: this.classes.map((c) => ({name: c.name, frames: c.frames.length})),
      recording: this.recording >= 0 ? this.recording : null,
      trained: this.trained,
      live: Boolean(this.predictTimer),
      paused: this.paused,
      prediction: this.prediction ? Object.assign({}, this.prediction) : null,
      predictions: this.predictions,
    };
  }
}
