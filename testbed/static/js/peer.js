// The WebRTC DataChannel between the two players of a game; signalling goes over the server.
// Unordered and unreliable on purpose: the engine tolerates loss, delay and reordering.

const CHANNEL_OPTIONS = { ordered: false, maxRetransmits: 0 };

export class PeerLink {
  // initiator: the player that creates the offer (player 0).
  // sendSignal(data): deliver a signalling object to the partner through the server.
  constructor({ initiator, sendSignal }) {
    this.initiator = initiator;
    this.sendSignal = sendSignal;
    this.channel = null;
    this.closed = false;
    this.pendingCandidates = [];
    this.onopen = null;
    this.onmessage = null;
    this.onclose = null;
    this.pc = new RTCPeerConnection({ iceServers: [] });
    this.pc.onicecandidate = (event) => {
      if (event.candidate) this.sendSignal({ kind: 'candidate', candidate: event.candidate.toJSON() });
    };
    this.pc.onconnectionstatechange = () => {
      const state = this.pc.connectionState;
      if (state === 'failed' || state === 'closed') this.handleClose();
    };
    if (initiator) {
      this.attach(this.pc.createDataChannel('game', CHANNEL_OPTIONS));
    } else {
      this.pc.ondatachannel = (event) => this.attach(event.channel);
    }
  }

  get isOpen() {
    return this.channel !== null && this.channel.readyState === 'open';
  }

  async start() {
    if (!this.initiator) return;
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    this.sendSignal({ kind: 'description', description: this.pc.localDescription.toJSON() });
  }

  async handleSignal(data) {
    if (this.closed || data === null || typeof data !== 'object') return;
    try {
      if (data.kind === 'description') {
        await this.pc.setRemoteDescription(data.description);
        for (const candidate of this.pendingCandidates.splice(0)) {
          await this.pc.addIceCandidate(candidate);
        }
        if (data.description.type === 'offer') {
          const answer = await this.pc.createAnswer();
          await this.pc.setLocalDescription(answer);
          this.sendSignal({ kind: 'description', description: this.pc.localDescription.toJSON() });
        }
      } else if (data.kind === 'candidate') {
        if (this.pc.remoteDescription === null) this.pendingCandidates.push(data.candidate);
        else await this.pc.addIceCandidate(data.candidate);
      }
    } catch (error) {
      console.warn('peer: signalling failed', error);
    }
  }

  attach(channel) {
    this.channel = channel;
    channel.onopen = () => {
      if (this.onopen) this.onopen();
    };
    channel.onmessage = (event) => {
      if (this.onmessage) this.onmessage(event.data);
    };
    channel.onclose = () => this.handleClose();
  }

  // False when the channel is not open (the caller falls back to the relay).
  send(text) {
    if (!this.isOpen) return false;
    try {
      this.channel.send(text);
      return true;
    } catch {
      return false;
    }
  }

  handleClose() {
    if (this.closed) return;
    this.closed = true;
    if (this.onclose) this.onclose();
  }

  close() {
    this.closed = true;
    if (this.channel !== null) this.channel.close();
    this.pc.close();
  }
}
