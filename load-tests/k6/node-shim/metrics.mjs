import { sample } from './bridge.mjs';

class Metric {
  /** @param {string} name @param {string} type */
  constructor(name, type) {
    this.name = name;
    this.type = type;
  }
  /** @param {number | boolean} value @param {Record<string, string>} [tags] */
  add(value, tags) {
    sample(this.name, this.type, Number(value), tags);
  }
}
export class Trend extends Metric {
  /** @param {string} name */
  constructor(name) {
    super(name, 'trend');
  }
}
export class Counter extends Metric {
  /** @param {string} name */
  constructor(name) {
    super(name, 'counter');
  }
}
export class Rate extends Metric {
  /** @param {string} name */
  constructor(name) {
    super(name, 'rate');
  }
}
export class Gauge extends Metric {
  /** @param {string} name */
  constructor(name) {
    super(name, 'gauge');
  }
}
