import { workerData } from 'node:worker_threads';

const counters = new Int32Array(workerData.counters);
/** Set by the VU loop before each iteration. */
export const state = { iterationInScenario: 0, iterationInTest: 0 };

export default {
  vu: {
    get idInTest() {
      return workerData.vuId;
    },
    get iterationInScenario() {
      return state.iterationInScenario;
    },
  },
  scenario: {
    get name() {
      return workerData.scenario;
    },
    get iterationInTest() {
      return state.iterationInTest;
    },
  },
  /** @internal */
  nextIteration() {
    state.iterationInTest = Atomics.add(counters, workerData.scenarioIndex, 1);
  },
};
