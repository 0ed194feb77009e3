"""`make up`: Airflow standalone (UI, scheduler, triggerer) over this project's DAGs and plugins."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from wirefeed import config, db
from wirefeed.demo import airflow_env
from wirefeed.errors import WirefeedError


def main() -> int:
    """Start `airflow standalone` with the warehouse connection set; it runs until Ctrl-C."""
    try:
        # keep_running: the embedded server must outlive this process, which exec() replaces.
        url = config.database_url() or db.embedded_url(keep_running=True)
        with db.connection(url) as conn:
            db.migrate(conn)
    except WirefeedError as exc:
        print(f"wirefeed up: {exc}", file=sys.stderr)
        return 1
    port = config.env("WIREFEED_AIRFLOW_PORT", "8080")
    env = airflow_env(url,
                      AIRFLOW__API__PORT=port,
                      # Without this, tasks call the execution API on 8080 and fail with "Connection refused".
                      AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"http://localhost:{port}/execution/")
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    print(f"wirefeed up: Airflow UI on http://localhost:{port} (the admin password is printed by Airflow "
          f"and kept in {env['AIRFLOW_HOME']}/simple_auth_manager_passwords.json.generated)", flush=True)
    airflow = str(Path(sys.executable).parent / "airflow")
    os.execve(airflow, [airflow, "standalone"], env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
