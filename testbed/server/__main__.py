"""`python -m testbed.server --port P [options]`: serve until SIGTERM or Ctrl-C, exit 0."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from werkzeug.serving import make_server

from testbed.server.app import create_app
from testbed.server.config import config_from_args

logger = logging.getLogger("testbed.server")


def _configure_logging() -> None:
    """One line per event on stdout, flushed as written; no per-request access log."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logging.getLogger("werkzeug").setLevel(logging.ERROR)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the server in a worker thread; the main thread waits for a stop signal."""
    config = config_from_args(argv)
    _configure_logging()
    try:
        server = make_server(config.host, config.port, create_app(config), threaded=True)
    except OSError as error:
        logger.error("cannot bind %s:%d: %s", config.host, config.port, error.strerror)
        return 1
    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        logger.info("signal %s: shutting down", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    serving = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="http", daemon=True
    )
    serving.start()
    logger.info(
        "listening http://%s:%d experiment=%s data_dir=%s fps=%d max_steps=%d episodes=%d",
        config.host,
        server.server_port,
        config.experiment_id,
        config.data_dir,
        config.fps,
        config.max_steps,
        config.episodes,
    )
    while not stop.wait(timeout=0.5):
        if not serving.is_alive():
            logger.error("server thread died")
            return 1
    server.shutdown()  # returns once serve_forever has left its loop
    server.server_close()
    logger.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
