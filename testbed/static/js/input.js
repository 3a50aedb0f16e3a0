// Keyboard to action: 0 no-op, 1 up, 2 down, 3 left, 4 right, 5 interact (space).
// window.testbed.input.set(action) holds an action as if its key were down; set(null) releases.

export const ACTIONS = Object.freeze({ NOOP: 0, UP: 1, DOWN: 2, LEFT: 3, RIGHT: 4, INTERACT: 5 });

const KEY_ACTIONS = new Map([
  ['ArrowUp', ACTIONS.UP],
  ['ArrowDown', ACTIONS.DOWN],
  ['ArrowLeft', ACTIONS.LEFT],
  ['ArrowRight', ACTIONS.RIGHT],
  [' ', ACTIONS.INTERACT],
  ['Spacebar', ACTIONS.INTERACT],
]);

export class InputState {
  constructor() {
    this.held = []; // actions of keys currently down, most recent last
    this.override = null;
  }

  attach(target) {
    target.addEventListener('keydown', (event) => {
      const action = KEY_ACTIONS.get(event.key);
      if (action === undefined) return;
      event.preventDefault();
      if (!this.held.includes(action)) this.held.push(action);
    });
    target.addEventListener('keyup', (event) => {
      const action = KEY_ACTIONS.get(event.key);
      if (action === undefined) return;
      event.preventDefault();
      this.held = this.held.filter((held) => held !== action);
    });
    // Keys released while the window had no focus never send keyup.
    window.addEventListener('blur', () => {
      this.held = [];
    });
  }

  set(action) {
    if (action === null || action === undefined) {
      this.override = null;
      return;
    }
    const value = Number(action);
    if (!Number.isInteger(value) || value < 0 || value > 5) {
      throw new RangeError(`action must be an integer 0..5 or null, got ${action}`);
    }
    this.override = value;
  }

  current() {
    if (this.override !== null) return this.override;
    return this.held.length > 0 ? this.held[this.held.length - 1] : ACTIONS.NOOP;
  }
}
