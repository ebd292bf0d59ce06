// The lab's element and its overlays: the canvas the app draws on, the loading overlay with a real
// progress bar (bytes received of total; a sliding stripe while the size is unknown), the
// error box with Retry (and, after a failed dataset in a running lab, Back to the lab), and a
// notice over the lab's bottom edge for what went wrong without stopping it (a dataset the
// browser's storage could not keep), and a small box over its top right edge with a progress bar
// while the training worker decodes a dataset the student brought (images decoded of all).
// ARIA: the canvas is an application with a label; the loading overlay is a polite live status
// with a progressbar; the error box an alert; the notice a polite status; the decoding box a
// progressbar with its count as text.

import { formatBytes } from './downloads.js';

function element(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

export class Overlay {
  // Fills root (the host's element: a <div>, <main> or the <cnn-lab> itself) with the canvas and
  // the two overlays; a <noscript> fallback in it goes.
  constructor(root) {
    root.classList.add('cnnlab');
    for (const child of Array.from(root.children)) {
      if (child.tagName === 'NOSCRIPT') child.remove();
    }
    this.root = root;
    this.canvas = element('canvas', 'cnnlab-canvas');
    this.canvas.tabIndex = 0;
    // An application: it takes its own keys (Dear ImGui's keyboard navigation), so a screen
    // reader passes them through; the text view (mirror.js) describes it and says what it shows.
    this.canvas.setAttribute('role', 'application');
    this.canvas.setAttribute('aria-label', 'CNN Lab, the interactive lab (drawn on a canvas)');
    this.canvas.addEventListener('contextmenu', (e) => e.preventDefault());
    // A lost WebGL context cannot be recovered by the app: say so instead of freezing.
    this.canvas.addEventListener('webglcontextlost', (e) => e.preventDefault());

    this.loading = element('div', 'cnnlab-overlay cnnlab-loading');
    this.loading.setAttribute('role', 'status');
    this.loading.setAttribute('aria-live', 'polite');
    const title = element('h1', 'cnnlab-title', 'CNN Lab');
    this.step = element('p', 'cnnlab-step', 'Starting…');
    this.progress = element('div', 'cnnlab-progress');
    this.progress.setAttribute('role', 'progressbar');
    this.progress.setAttribute('aria-valuemin', '0');
    this.progress.setAttribute('aria-valuemax', '100');
    this.bar = element('div', 'cnnlab-progress-bar');
    this.progress.appendChild(this.bar);
    this.bytes = element('p', 'cnnlab-bytes', '');
    this.loading.append(title, this.step, this.progress, this.bytes);

    this.errorOverlay = element('div', 'cnnlab-overlay cnnlab-error');
    this.errorOverlay.hidden = true;
    this.errorOverlay.setAttribute('role', 'alert');
    const box = element('div', 'cnnlab-error-box');
    this.heading = element('h2', '', 'CNN Lab could not start');
    this.message = element('p', 'cnnlab-error-message', '');
    this.details = element('pre', 'cnnlab-error-details', '');
    this.details.hidden = true;
    this.retry = element('button', 'cnnlab-retry', 'Retry');
    this.retry.type = 'button';
    this.dismiss = element('button', 'cnnlab-dismiss', 'Back to the lab');
    this.dismiss.type = 'button';
    this.dismiss.hidden = true;
    box.append(this.heading, this.message, this.details, this.retry, this.dismiss);
    this.errorOverlay.appendChild(box);

    this.notice = element('div', 'cnnlab-notice');
    this.notice.hidden = true;
    this.notice.setAttribute('role', 'status');
    this.noticeText = element('p', 'cnnlab-notice-text', '');
    this.noticeDismiss = element('button', 'cnnlab-notice-dismiss', 'Dismiss');
    this.noticeDismiss.type = 'button';
    this.noticeDismiss.addEventListener('click', () => this.showNotice(null));
    this.notice.append(this.noticeText, this.noticeDismiss);

    this.decoding = element('div', 'cnnlab-decoding');
    this.decoding.hidden = true;
    this.decodingText = element('p', 'cnnlab-decoding-text', '');
    this.decodingProgress = element('div', 'cnnlab-progress');
    this.decodingProgress.setAttribute('role', 'progressbar');
    this.decodingProgress.setAttribute('aria-valuemin', '0');
    this.decodingBar = element('div', 'cnnlab-progress-bar');
    this.decodingProgress.appendChild(this.decodingBar);
    this.decoding.append(this.decodingText, this.decodingProgress);

    root.append(this.canvas, this.loading, this.errorOverlay, this.notice, this.decoding);
  }

  // The decoding box: `decoded` of `total` images of the dataset `name` are read (null: hidden).
  // The lab stays usable under it.
  showDecoding(name, decoded, total) {
    if (name === null) {
      this.decoding.hidden = true;
      return;
    }
    const count = `${decoded.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} images`;
    this.decodingText.textContent = `Reading ${name}: ${count} decoded`;
    this.decodingBar.style.width = `${Math.min(100, (100 * decoded) / Math.max(1, total)).toFixed(1)}%`;
    this.decodingProgress.setAttribute('aria-valuemax', String(total));
    this.decodingProgress.setAttribute('aria-valuenow', String(decoded));
    this.decodingProgress.setAttribute('aria-valuetext', count);
    this.decodingProgress.setAttribute('aria-label', `Reading ${name}`);
    this.decoding.hidden = false;
  }

  get decodingShown() {
    if (this.decoding.hidden) return null;
    return {decoded: Number(this.decodingProgress.getAttribute('aria-valuenow')),
            total: Number(this.decodingProgress.getAttribute('aria-valuemax'))};
  }

  // The notice with text (null: hidden). It never takes the focus: the lab goes on.
  showNotice(text) {
    this.noticeText.textContent = text || '';
    this.notice.hidden = !text;
  }

  get noticeShown() { return this.notice.hidden ? null : this.noticeText.textContent; }

  // The loading overlay in front (the error box gone).
  showLoading() {
    this.errorOverlay.hidden = true;
    this.loading.hidden = false;
  }

  // The loading overlay's text and bar: stepText, received of total bytes (total null: unknown).
  // Does not bring it to the front (a late progress report must not hide an error).
  showProgress(stepText, received, total) {
    this.step.textContent = stepText;
    if (total) {
      const percent = Math.min(100, (100 * received) / total);
      this.bar.classList.remove('cnnlab-indeterminate');
      this.bar.style.width = `${percent.toFixed(1)}%`;
      this.progress.setAttribute('aria-valuenow', percent.toFixed(0));
      this.bytes.textContent = `${formatBytes(received)} of ${formatBytes(total)}`;
    } else {
      this.bar.classList.add('cnnlab-indeterminate');
      this.bar.style.width = '';
      this.progress.removeAttribute('aria-valuenow');
      this.bytes.textContent = received ? formatBytes(received) : '';
    }
  }

  // The error box: heading, message, the app's last log lines, Back to the lab when offered.
  showError({heading, message, details, canDismiss}) {
    this.loading.hidden = true;
    this.errorOverlay.hidden = false;
    this.heading.textContent = heading;
    this.message.textContent = message;
    this.details.textContent = details;
    this.details.hidden = details.length === 0;
    this.dismiss.hidden = !canDismiss;
    this.retry.focus();
  }

  // Neither overlay: the app's canvas, focused.
  showApp() {
    this.loading.hidden = true;
    this.errorOverlay.hidden = true;
    this.canvas.focus({preventScroll: true});
  }

  setDark(dark) { this.root.classList.toggle('cnnlab-dark', dark); }
}
