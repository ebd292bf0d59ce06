// A polite ARIA live region that says what happened in a lab, paced for a listener: its text
// changes at most once per MIN_INTERVAL_MS (messages that arrive meanwhile are said together in
// the next change), a newer message of a kind replaces one of the same kind still waiting (ten
// quick epochs are one "epoch 10 of 10" rather than ten sentences), and an event is said once
// only (its key is remembered). The region is empty when it is added to the page, as screen
// readers need, and holds nothing but text.

export const MIN_INTERVAL_MS = 1000;

export class Announcer {
  // region: the element to use (given role="status" and aria-live="polite" here).
  constructor(region) {
    this.region = region;
    region.setAttribute('role', 'status');
    region.setAttribute('aria-live', 'polite');
    region.setAttribute('aria-atomic', 'true');
    region.textContent = '';
    this.pending = [];        // [{kind, text}] in arrival order, at most one per kind
    this.said = new Set();    // keys of the events already said (or waiting)
    this.lastChange = -Infinity;  // performance.now() of the region's last change
    this.timer = null;
  }

  // Says text once for key (default: the text itself); kind groups messages of which only the
  // newest waiting one is said ('epoch', 'phase', ...).
  say(text, {key = text, kind = key} = {}) {
    if (!text || this.said.has(key)) return;
    this.said.add(key);
    const waiting = this.pending.findIndex((m) => m.kind === kind);
    if (waiting >= 0) this.pending.splice(waiting, 1);
    this.pending.push({kind, text});
    this.schedule();
  }

  schedule() {
    if (this.timer !== null) return;
    const wait = Math.max(0, Math.ceil(this.lastChange + MIN_INTERVAL_MS - performance.now()));
    this.timer = setTimeout(() => this.flush(), wait);
  }

  flush() {
    this.timer = null;
    // A timer may fire a fraction of a millisecond early by this clock: wait for the rest.
    if (performance.now() - this.lastChange < MIN_INTERVAL_MS) {
      this.schedule();
      return;
    }
    const text = this.pending.map((m) => m.text).join(' ');
    this.pending = [];
    if (!text || text === this.region.textContent) return;
    this.region.textContent = text;
    this.lastChange = performance.now();
  }

  stop() {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.pending = [];
  }
}
