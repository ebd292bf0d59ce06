// The lab's numbers and events as text, for the text view and its announcements (mirror.js):
// accuracies as percents with one decimal, losses with three, counts with thousands separators,
// and the sentences a listener hears when training starts, an epoch ends, a run or an experiment
// is done. Unknown values (null) read as "–".

export const UNKNOWN = '–';

const known = (value) => typeof value === 'number' && Number.isFinite(value);

// 0.171 -> "17.1 %"
// Rounded as the app's canvas rounds (engine/core/text_format.h): half away from zero on the
// percentage, the same for a float or a double of one count (655 / 2000 reads 32.8 % in both).
export function percent(fraction) {
  if (!known(fraction)) return UNKNOWN;
  const tenths = Math.floor(Math.abs(fraction) * 1000 + 0.5 + 1e-4);
  return `${fraction < 0 && tenths > 0 ? '-' : ''}${Math.floor(tenths / 10)}.${tenths % 10} %`;
}

// 2.2162 -> "2.216"
export function loss(value) {
  return known(value) ? value.toFixed(3) : UNKNOWN;
}

// 545098 -> "545,098"
export function count(value) {
  return known(value) ? Math.round(value).toLocaleString('en-US') : UNKNOWN;
}

// A setting as the user typed it: float32 noise removed (0.0010000000474974513 -> "0.001").
export function setting(value) {
  if (known(value)) return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  return value === null || value === undefined || value === '' ? UNKNOWN : String(value);
}

// 3.78 -> "3.8 s"; 125 -> "2 min 5 s"
export function duration(seconds) {
  if (!known(seconds)) return UNKNOWN;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)} min ${whole % 60} s`;
}

// "cnn 3×3" (an MLP has no kernel)
export function modelName(model) {
  if (!model) return UNKNOWN;
  return model.kernel ? `${model.name} ${model.kernel}×${model.kernel}` : model.name;
}

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

// The 1-based epoch a run is in (state.epoch counts the completed ones).
const epochUnderWay = (state) => Math.min((state.epoch || 0) + 1, state.epochs || 1);

// ---- Announcements ------------------------------------------------------------------------------

// What a single run's change of phase means to a listener ('' when there is nothing worth saying:
// loading, and 'done', which the run's results announce). previous: the phase before (null at the
// start). (An experiment leaves the phase alone: mirror.js follows it through results().)
export function phaseSentence(phase, previous, state) {
  const run = state.run ? `Run ${state.run}` : 'The run';
  switch (phase) {
    case 'ready':
      if (previous === null || previous === 'loading') {
        const data = state.dataset ? ` with ${state.dataset.name} (${state.dataset.split})` : '';
        return `CNN Lab is ready${data}; model ${modelName(state.model)}.`;
      }
      return `${run} is ready to train: model ${modelName(state.model)}, ${plural(state.epochs, 'epoch')}.`;
    case 'training':
      if (previous === 'paused') return `Training resumed in epoch ${epochUnderWay(state)} of ${state.epochs}.`;
      return startSentence(run, state);
    case 'paused': {
      const paused = `Training paused in epoch ${epochUnderWay(state)} of ${state.epochs}, at step ` +
                     `${count(state.step)}.`;
      // Started and paused between two looks at the lab (Step, or a quick pause): both are news.
      return previous === 'training' ? paused : `${startSentence(run, state)} ${paused}`;
    }
    case 'error':
      return `Error: ${state.error || 'the lab stopped'}.`;
    default:
      return '';
  }
}

function startSentence(run, state) {
  return `Training started: ${run.toLowerCase()}, ${modelName(state.model)}, ` +
         `${plural(state.epochs, 'epoch')}, batch ${setting(state.options && state.options.batch)}.`;
}

// An epoch event (events.js 'epoch').
export function epochSentence(record) {
  const of = record.epochs ? ` of ${record.epochs}` : '';
  const validation = known(record.valLoss)
      ? ` Validation loss ${loss(record.valLoss)}, accuracy ${percent(record.valAcc)}.` : '';
  return `Run ${record.run}, epoch ${record.epoch}${of} done: training loss ` +
         `${loss(record.trainLoss)}, accuracy ${percent(record.trainAcc)}.${validation}`;
}

// A run's end with its test results (events.js 'done').
export function doneSentence(detail) {
  const why = detail.stopReason ? ` (${detail.stopReason})` : '';
  if (!known(detail.testAcc)) return `Run ${detail.run} done${why}.`;
  const tested = detail.testEpoch ? `, with the weights of epoch ${detail.testEpoch}` : '';
  return `Run ${detail.run} done${why}. Test accuracy ${percent(detail.testAcc)}, test loss ` +
         `${loss(detail.testLoss)}${tested}.`;
}

// "kernel 3, 5 and 7, 1 seed each"
export function experimentLabel(experiment) {
  const config = experiment.config || {};
  const values = (config.values || []).map(String);
  const list = values.length > 1 ? `${values.slice(0, -1).join(', ')} and ${values[values.length - 1]}`
      : values.join('');
  return `${config.vary || 'a setting'} ${list}, ${plural(config.repeats || 1, 'seed')} each`;
}

// An experiment that has ended: its winner and the engine's plain-language reading.
export function experimentDoneSentence(experiment) {
  const winner = (experiment.summary || []).find((row) => row.winner);
  const best = winner ? ` Best: ${winner.configuration}, test accuracy ` +
      `${percent(winner.test_accuracy_mean)}.` : '';
  const reading = experiment.interpretation ? ` ${experiment.interpretation}` : '';
  return `Experiment done.${best}${reading}`;
}
