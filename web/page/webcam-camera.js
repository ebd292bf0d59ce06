// The camera of the Webcam classes panel (webcam-panel.js): starting it (getUserMedia), saying in
// words why it is absent (no API on an insecure page, refused, not found, busy, its track ended),
// grabbing the centre square of the current frame as a PNG, and releasing it (every track
// stopped, so the browser's camera light goes off).

// The side of the square frames grabbed for the dataset and for live prediction: the engine
// fits each to the model's input (32x32 colour or 28x28 grey), so a little more is plenty.
export const FRAME_SIDE = 64;

// Why there is no camera, for error e of getUserMedia (a DOMException by name), in a sentence
// that names the reason and what to do.
export function cameraProblem(e) {
  const name = e && e.name ? e.name : 'Error';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return `The camera was refused (${name}): allow the camera for this page in the browser ` +
             '(the camera icon in the address bar), then press Try the camera again.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return `No camera was found (${name}): connect one or switch it on, then press Try the ` +
             'camera again.';
    case 'NotReadableError':
    case 'AbortError':
      return `The camera could not be started (${name}): another program may be using it; ` +
             'close that, then press Try the camera again.';
    default:
      return `The camera could not be started (${name}: ${e && e.message ? e.message : 'no reason given'}).`;
  }
}

// Why this page cannot ask for a camera at all ('' when it can).
export function cameraUnavailable() {
  if (typeof navigator === 'undefined' || !navigator.mediaDevices ||
      typeof navigator.mediaDevices.getUserMedia !== 'function') {
    return window.isSecureContext === false
        ? 'This page cannot use a camera: browsers offer one only to https:// pages (or ' +
          'localhost), and this one is served over plain http.'
        : 'This browser offers the page no camera (navigator.mediaDevices.getUserMedia is missing).';
  }
  return '';
}

// The headline of a problem sentence (what the preview shows in its place): the words before its
// first ': ' outside parentheses ('The camera was refused (NotAllowedError)'), or all of it.
export function problemHeadline(problem) {
  let depth = 0;
  for (let i = 0; i < problem.length - 1; ++i) {
    if (problem[i] === '(') ++depth;
    else if (problem[i] === ')') --depth;
    else if (depth === 0 && problem[i] === ':' && problem[i + 1] === ' ') return problem.slice(0, i) + '.';
  }
  return problem;
}

export class Camera {
  // video: the <video> element that previews the camera; onLost(message): the camera went away
  // while running (its track ended: unplugged, switched off, or taken by the system).
  constructor(video, onLost) {
    this.video = video;
    this.onLost = onLost;
    this.stream = null;
    this.canvas = document.createElement('canvas');
    this.canvas.width = FRAME_SIDE;
    this.canvas.height = FRAME_SIDE;
  }

  get running() { return Boolean(this.stream); }

  // Starts the camera; resolves '' once frames arrive, or the reason there is none.
  async start() {
    if (this.stream) return '';
    const unavailable = cameraUnavailable();
    if (unavailable) return unavailable;
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia(
          {video: {width: {ideal: 640}, height: {ideal: 480}, facingMode: 'user'}, audio: false});
    } catch (e) {
      return cameraProblem(e);
    }
    const track = stream.getVideoTracks()[0];
    if (!track) {
      for (const t of stream.getTracks()) t.stop();
      return 'The camera gave no video (its stream has no video track).';
    }
    this.stream = stream;
    track.addEventListener('ended', () => this.lost());
    this.video.srcObject = stream;
    try {
      await this.video.play();
    } catch (e) {
      // Autoplay of a muted video is allowed; a failure here still leaves frames to grab.
    }
    if (this.video.readyState < 2) {
      await new Promise((resolve) => {
        const done = () => {
          this.video.removeEventListener('loadeddata', done);
          resolve();
        };
        this.video.addEventListener('loadeddata', done);
        setTimeout(done, 3000);
      });
    }
    return this.stream ? '' : 'The camera stopped while it was starting (its track ended).';
  }

  // '' while the camera gives frames; otherwise why not (a track stopped by the system may end
  // without an 'ended' event reaching the page first).
  check() {
    if (!this.stream) return 'The camera is off.';
    const track = this.stream.getVideoTracks()[0];
    if (!track || track.readyState === 'ended') {
      this.lost();
      return 'The camera stopped (its video track ended).';
    }
    return '';
  }

  lost() {
    if (!this.stream) return;
    this.stop();
    this.onLost('The camera stopped (its video track ended): unplugged, switched off or taken ' +
                'by another program. The frames recorded so far are kept; press Try the camera ' +
                'again.');
  }

  // Releases the camera: every track stopped, the preview emptied.
  stop() {
    if (this.stream) for (const track of this.stream.getTracks()) track.stop();
    this.stream = null;
    this.video.srcObject = null;
  }

  // The centre square of the current frame, FRAME_SIDE x FRAME_SIDE, as PNG bytes (a Uint8Array);
  // null when there is no frame.
  async grabPng() {
    const w = this.video.videoWidth;
    const h = this.video.videoHeight;
    if (!this.stream || !w || !h) return null;
    const side = Math.min(w, h);
    const g = this.canvas.getContext('2d');
    g.drawImage(this.video, (w - side) / 2, (h - side) / 2, side, side, 0, 0, FRAME_SIDE, FRAME_SIDE);
    const blob = await new Promise((resolve) => this.canvas.toBlob(resolve, 'image/png'));
    return blob ? new Uint8Array(await blob.arrayBuffer()) : null;
  }
}
