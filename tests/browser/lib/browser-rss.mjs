// Resident memory of one browser run (the benches' figure; never asserted in tests): the sum of
// RSS of the Chromium process started with a marker flag and all its descendants, so other
// Chromium processes on the machine (another test run) are not counted. Chromium ignores flags
// it does not know, so the marker can be any --name=value.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

// {bytes, kbByKind}: the sum in bytes, and kB per kind of process (--type=renderer,
// gpu-process, utility <service>, 'browser').
export function browserRss(marker) {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,rss=,args='], {encoding: 'utf8'});
  const processes = out.split('\n').filter((line) => line.trim()).map((line) => {
    const [pid, ppid, rss] = line.trim().split(/\s+/).map(Number);
    return {pid, ppid, rss, args: line};
  });
  const counted = new Set(processes.filter((p) => p.args.includes(marker)).map((p) => p.pid));
  assert.ok(counted.size > 0, `no process started with ${marker}`);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of processes) {
      if (!counted.has(p.pid) && counted.has(p.ppid)) {
        counted.add(p.pid);
        grew = true;
      }
    }
  }
  let kb = 0;
  const kbByKind = {};
  for (const p of processes) {
    if (!counted.has(p.pid)) continue;
    kb += p.rss || 0;
    const type = /--type=(\S+)/.exec(p.args);
    const service = /--utility-sub-type=(\S+)/.exec(p.args);
    const kind = type ? type[1] + (service ? ` ${service[1]}` : '') : 'browser';
    kbByKind[kind] = (kbByKind[kind] || 0) + (p.rss || 0);
  }
  return {bytes: kb * 1024, kbByKind};
}
