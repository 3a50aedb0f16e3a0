import subprocess
import sys


def test_starts_a_background_helper_and_forgets_it():
    # A detached helper in a session of its own: it outlives pytest unless someone sweeps it.
    subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(120)"],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
