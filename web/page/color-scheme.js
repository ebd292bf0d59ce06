// The system's colour scheme (prefers-color-scheme), which picks a lab's theme when no theme option
// was given (mount.js tells the app through setUi, and follows later changes of it), and its
// prefers-reduced-motion, which the app honours (setUi's reducedMotion: the pixel explainer's Play,
// its one animation, is then off); the page's own motion is CSS, which cnnlab.css turns off; and
// whether the main pointer is a finger (pointer: coarse), for which the app draws larger controls.

const DARK_QUERY = '(prefers-color-scheme: dark)';
const REDUCED_MOTION_QUERY = '(prefers-reduced-motion: reduce)';
const COARSE_POINTER_QUERY = '(pointer: coarse)';

function query(text) {
  return typeof window.matchMedia === 'function' ? window.matchMedia(text) : null;
}

// 'dark' when the system asks for a dark colour scheme, else 'light'.
export function systemTheme() {
  const media = query(DARK_QUERY);
  return media && media.matches ? 'dark' : 'light';
}

// Calls onChange('dark' | 'light') whenever the system's colour scheme changes; returns a function
// that stops it.
export function watchSystemTheme(onChange) {
  const media = query(DARK_QUERY);
  if (!media || typeof media.addEventListener !== 'function') return () => {};
  const listener = (event) => onChange(event.matches ? 'dark' : 'light');
  media.addEventListener('change', listener);
  return () => media.removeEventListener('change', listener);
}

// Calls onChange(reduce) now and whenever the system's reduced-motion preference changes (reduce:
// true when it asks for less motion); returns a function that stops it.
export function watchReducedMotion(onChange) {
  return watchMatch(REDUCED_MOTION_QUERY, onChange);
}

// Calls onChange(coarse) now and whenever the main pointer changes (coarse: true when it is a
// finger, as on phones and tablets); returns a function that stops it.
export function watchCoarsePointer(onChange) {
  return watchMatch(COARSE_POINTER_QUERY, onChange);
}

function watchMatch(text, onChange) {
  const media = query(text);
  onChange(Boolean(media && media.matches));
  if (!media || typeof media.addEventListener !== 'function') return () => {};
  const listener = (event) => onChange(event.matches);
  media.addEventListener('change', listener);
  return () => media.removeEventListener('change', listener);
}
