// A load generator process of the coedit benchmark (forked by coedit.mjs, driven over IPC): it holds
// editors (write-only typists) and observers (integrate and time) of any number of documents.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { CoeditClient, connectAll, digestOf, LatencyRecorder, typeSteadily } from './coedit-clients.mjs';
import { serveCommands } from './lib/generator.mjs';

const recorder = new LatencyRecorder();
const counters = { frames: 0, bytes: 0 };
/** @type {CoeditClient[]} */
let editors = [];
/** @type {CoeditClient[]} */
let observers = [];
let stopTyping = null;
let typingResult = { late: 0 };
let sentInWindow = 0;
const loopDelay = monitorEventLoopDelay({ resolution: 10 });

const all = () => [...editors, ...observers];

const commands = {
  /**
   * Connects clients: `list` of { base, docName, token, role, node }; `protocol` names the framing.
   * Observers connect first, so they see every editor's first keystroke.
   */
  async connect({ protocol, list, concurrency }) {
    const made = list.map((c) => new CoeditClient({ ...c, protocol, recorder: c.role === 'observer' ? recorder : undefined, counters }));
    const obs = made.filter((c) => c.opts.role === 'observer');
    const eds = made.filter((c) => c.opts.role === 'editor');
    const errors = [...(await connectAll(obs, concurrency)), ...(await connectAll(eds, concurrency))];
    observers.push(...obs.filter((c) => c.synced));
    editors.push(...eds.filter((c) => c.synced));
    return { connected: made.length - errors.length, failed: errors.length, errors: errors.slice(0, 5) };
  },

  /** Types from now until `until` (ms, the shared clock); keystrokes stamped in [from, to) are measured. */
  type({ perSecond, cursorEvery, from, to, until }) {
    recorder.reset({ from, to });
    counters.frames = 0;
    counters.bytes = 0;
    loopDelay.reset();
    loopDelay.enable();
    sentInWindow = 0;
    const stop = typeSteadily(editors, perSecond, cursorEvery, until, (t) => {
      if (t >= from && t < to) sentInWindow++;
    });
    stopTyping = () => {
      typingResult = stop() ?? typingResult;
    };
    return {};
  },

  /** Document updates the observers integrated so far (is anything still arriving?). */
  progress() {
    return observers.reduce((n, o) => n + o.applied, 0);
  },

  /** What the observers saw of the window (call after the drain). */
  collect() {
    stopTyping?.();
    loopDelay.disable();
    const sent = editors.reduce((n, e) => n + e.keystrokes, 0);
    return {
      all: recorder.all.counts,
      cross: recorder.cross.counts,
      delivered: recorder.delivered,
      sent: sentInWindow,
      observers: observers.length,
      keystrokesSoFar: sent,
      frames: counters.frames,
      bytes: counters.bytes,
      late: typingResult.late,
      loopDelayP99Ms: Number.isFinite(loopDelay.percentile(99)) ? loopDelay.percentile(99) / 1e6 : null,
      closedByServer: all().filter((c) => c.closes.length > 0).length,
      closeReasons: [...new Set(all().flatMap((c) => c.closes.map((x) => `${x.code} ${x.reason}`)))].slice(0, 5),
    };
  },

  /**
   * Final state: observers as they are (live delivery), editors after a resync (what the server
   * serves). Each with its document, digest and, for editors, whether its own keystrokes are in the digest's state.
   */
  async states({ concurrency = 20 }) {
    const out = [];
    const errors = [];
    let next = 0;
    const eds = editors.filter((e) => e.open);
    const worker = async () => {
      while (next < eds.length) {
        const e = eds[next++];
        try {
          await e.resync();
        } catch (err) {
          errors.push(err.message);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    for (const c of all()) out.push({ docName: c.opts.docName, role: c.opts.role, node: c.node, digest: digestOf(c.doc), open: c.open });
    return { states: out, errors: errors.slice(0, 5), failed: errors.length };
  },

  /** Closes the editors (observers stay: their documents stay open). */
  closeEditors() {
    for (const e of editors) e.destroy();
    editors = [];
    return {};
  },

  closeAll() {
    for (const c of all()) c.destroy();
    editors = [];
    observers = [];
    return {};
  },

  close() {
    commands.closeAll();
    setTimeout(() => process.exit(0), 50);
    return {};
  },
};

serveCommands('coedit-generator.mjs', commands);
