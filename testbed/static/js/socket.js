// The WebSocket to the server (/ws): JSON messages with a "type", dispatched to handlers.

export class ServerSocket {
  constructor(url = ServerSocket.defaultUrl()) {
    this.url = url;
    this.ws = null;
    this.handlers = new Map();
    this.pending = [];
    this.onclose = null;
  }

  static defaultUrl() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${location.host}/ws`;
  }

  // Resolves once the socket is open; messages sent before that are queued.
  connect() {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url);
      this.ws = ws;
      let opened = false;
      ws.onopen = () => {
        opened = true;
        for (const text of this.pending.splice(0)) ws.send(text);
        resolve();
      };
      ws.onmessage = (event) => this.dispatch(event.data);
      ws.onerror = () => {
        if (!opened) reject(new Error(`cannot connect to ${this.url}`));
      };
      ws.onclose = (event) => {
        if (!opened) reject(new Error(`cannot connect to ${this.url}`));
        else if (this.onclose) this.onclose(event);
      };
    });
  }

  get isOpen() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  on(type, handler) {
    this.handlers.set(type, handler);
    return this;
  }

  send(message) {
    const text = JSON.stringify(message);
    if (this.isOpen) this.ws.send(text);
    else if (this.ws === null || this.ws.readyState === WebSocket.CONNECTING) this.pending.push(text);
    // A closed socket drops the message: the close handler reports the loss.
  }

  close() {
    if (this.ws !== null) this.ws.close();
  }

  dispatch(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      console.warn('socket: ignoring a message that is not JSON');
      return;
    }
    const handler = this.handlers.get(message.type);
    if (handler) handler(message);
    else console.warn(`socket: no handler for ${message.type}`);
  }
}
