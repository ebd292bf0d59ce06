// The system's colour scheme (prefers-color-scheme), which picks a lab's theme when no theme option
// was given (mount.js tells the app through setUi, and follows later changes of it). Reduced
// motion needs no script: the page's only motion is CSS, which cnnlab.css turns off under
// prefers-reduced-motion, and the app draws none.

const DARK_QUERY = '(prefers-color-scheme: dark)';

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
