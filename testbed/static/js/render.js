// Canvas drawing of session.view(): {width, height, walls, goal, players, item, score, stepNum}.

const COLORS = Object.freeze({
  floor: '#efe6d2',
  grid: '#d8ccb0',
  wall: '#6b5b45',
  goal: '#7fbf7f',
  item: '#e0a030',
  players: ['#3b6fd8', '#d84b3b'],
  text: '#222',
});

export class Renderer {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
  }

  // view: the engine's drawable state; info: {playerIndex, stats, maxSteps, episodes}.
  draw(view, info) {
    const { ctx, canvas } = this;
    if (!view || !(view.width > 0) || !(view.height > 0)) return;
    const banner = 28;
    const cell = Math.floor(Math.min(canvas.width / view.width, (canvas.height - banner) / view.height));
    const offsetX = Math.floor((canvas.width - cell * view.width) / 2);
    const offsetY = banner;
    const at = (x, y) => [offsetX + x * cell, offsetY + y * cell];

    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = COLORS.floor;
    ctx.fillRect(offsetX, offsetY, cell * view.width, cell * view.height);
    ctx.strokeStyle = COLORS.grid;
    ctx.lineWidth = 1;
    for (let x = 0; x <= view.width; x += 1) {
      ctx.beginPath();
      ctx.moveTo(offsetX + x * cell + 0.5, offsetY);
      ctx.lineTo(offsetX + x * cell + 0.5, offsetY + view.height * cell);
      ctx.stroke();
    }
    for (let y = 0; y <= view.height; y += 1) {
      ctx.beginPath();
      ctx.moveTo(offsetX, offsetY + y * cell + 0.5);
      ctx.lineTo(offsetX + view.width * cell, offsetY + y * cell + 0.5);
      ctx.stroke();
    }

    ctx.fillStyle = COLORS.wall;
    for (const wall of view.walls ?? []) {
      const [px, py] = at(wall.x, wall.y);
      ctx.fillRect(px, py, cell, cell);
    }

    if (view.goal) {
      const [px, py] = at(view.goal.x, view.goal.y);
      ctx.fillStyle = COLORS.goal;
      ctx.fillRect(px + 2, py + 2, cell - 4, cell - 4);
      this.label('GOAL', px + cell / 2, py + cell / 2, Math.max(9, cell / 5), '#fff');
    }

    if (view.item) this.item(...at(view.item.x, view.item.y), cell, 0.22);

    (view.players ?? []).forEach((player, index) => {
      const [px, py] = at(player.x, player.y);
      const cx = px + cell / 2;
      const cy = py + cell / 2;
      ctx.fillStyle = COLORS.players[index % COLORS.players.length];
      ctx.beginPath();
      ctx.arc(cx, cy, cell * 0.36, 0, Math.PI * 2);
      ctx.fill();
      if (index === info.playerIndex) {
        ctx.strokeStyle = '#000';
        ctx.lineWidth = 3;
        ctx.stroke();
      }
      this.label(index === info.playerIndex ? 'you' : `P${index}`, cx, cy, Math.max(9, cell / 4), '#fff');
      if (player.holding) this.item(px + cell * 0.45, py - cell * 0.1, cell, 0.14);
    });

    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.fillStyle = COLORS.text;
    ctx.font = '16px system-ui, sans-serif';
    const stats = info.stats ?? {};
    ctx.fillText(`Score ${view.score ?? 0}`, offsetX, banner / 2);
    ctx.textAlign = 'right';
    const focus = stats.isFocused === false ? '  (paused: page hidden)' : '';
    ctx.fillText(`Step ${view.stepNum ?? 0}/${info.maxSteps}${focus}`, offsetX + cell * view.width, banner / 2);
  }

  item(px, py, cell, radius) {
    const { ctx } = this;
    ctx.fillStyle = COLORS.item;
    ctx.beginPath();
    ctx.arc(px + cell / 2, py + cell / 2, cell * radius, 0, Math.PI * 2);
    ctx.fill();
    ctx.strokeStyle = '#8a5a10';
    ctx.lineWidth = 2;
    ctx.stroke();
  }

  label(text, x, y, size, color) {
    const { ctx } = this;
    ctx.fillStyle = color;
    ctx.font = `bold ${Math.round(size)}px system-ui, sans-serif`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(text, x, y);
  }
}
