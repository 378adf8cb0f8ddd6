"""Start a throwaway PostgreSQL server for the tests, and make a fresh database per test.

The PostgreSQL half of the test suite runs against a REAL server that the tests start
themselves, so it needs only the server binaries (``initdb``, ``pg_ctl``, ``postgres``),
never a running system service, a password or a network port::

    with PostgresServer.start() as server:   # initdb + pg_ctl start, ~0.7 s
        url = server.create_database()       # fresh empty database, ~20 ms
        ...                                  # use it with sqlalchemy.create_engine(url)
        server.drop_database(url)
    # server stopped (pg_ctl stop -m fast) and its directory removed, even on error

How it works
------------
* Binaries: ``initdb`` is looked up on PATH first (symlinks resolved, so a
  /usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb link finds its siblings),
  then in /usr/lib/postgresql/<version>/bin, highest version first. Not finding them is
  an error (:class:`PostgresUnavailable`), never a reason to skip: a skipped PostgreSQL
  run would hide a broken PostgreSQL path.
* Directory: one ``mkdtemp`` directory (in /dev/shm when roomy, else TMPDIR or /tmp) holds
  ``data/`` (the cluster), ``server.log`` and the server's Unix socket. The server runs
  with ``listen_addresses=''``, so it listens on that socket only: no TCP port, nothing
  that can clash with another server on the machine, no traffic off the machine.
  Durability is switched off (fsync, synchronous_commit, full_page_writes) since the
  cluster is thrown away.
* Root: PostgreSQL refuses to run as root. When we are root, the directory is chowned to
  the ``postgres`` user and initdb/pg_ctl are run as that user through subprocess's own
  ``user=``/``group=``/``extra_groups=`` arguments (the child does setgroups/setgid/setuid
  before exec). That needs no ``su``/``runuser`` binary, no PAM, no shell quoting, and is
  safe in a multi-threaded process (unlike a ``preexec_fn``). Authentication is ``trust``,
  so root (or anyone who can reach the 0700 socket directory) connects as ``postgres``.
* Fresh database per test: ``CREATE DATABASE <name> TEMPLATE template0`` and, after the
  test, ``DROP DATABASE <name> WITH (FORCE)`` (which also ends connections a test leaked).
  Trade-off: a database per test costs ~20 ms to create and ~10 ms to drop on tmpfs
  (up to ~250 ms to create on ext4), where a schema per test would cost under a
  millisecond; but a schema is not real isolation: code that names ``public``, creates
  extensions, types or roles, or sets ``search_path`` would leak between tests, and the
  URL would need a ``search_path`` option the production code never sees. A database per
  test is what production looks like (an empty database and a plain URL), so that is the
  choice. template0 (not template1) guarantees empty.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

PORT = 5432  # only names the socket file (.s.PGSQL.5432) inside our own directory
SUPERUSER = "postgres"
DEFAULT_DATABASE = "hazard_rules_test"
_SOCKET_PATH_MAX = 100  # sun_path is 108 bytes on Linux, 104 on macOS; keep a margin
_SHM_MIN_FREE = 1 << 30  # a cluster is ~40 MB, plus ~8 MB per live database
_names = itertools.count(1)


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries, or a user to run them as, cannot be found."""


def find_bindir() -> Path:
    """The directory holding initdb, pg_ctl and postgres: PATH first, then the highest
    /usr/lib/postgresql/<version>/bin."""
    candidates = []
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(os.path.realpath(on_path)).parent)

    def version(bindir: str) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", Path(bindir).parent.name))

    candidates += [Path(d) for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)]
    for bindir in candidates:
        if all(os.access(bindir / tool, os.X_OK) for tool in ("initdb", "pg_ctl", "postgres")):
            return bindir
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found on PATH nor in "
        "/usr/lib/postgresql/*/bin. Install them (Debian: apt-get install postgresql-15) or put "
        "their bin directory on PATH; .ci/run does this on CI.")


def _server_user() -> pwd.struct_passwd | None:
    """Who runs the server: None means ourselves; as root, the ``postgres`` user."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SUPERUSER)
    except KeyError:
        raise PostgresUnavailable(
            f"running as root, and PostgreSQL refuses to run as root, but there is no {SUPERUSER!r} "
            f"user to run it as (Debian's postgresql package creates it; or: useradd --system {SUPERUSER})"
        ) from None


def _base_dir(user: pwd.struct_passwd | None) -> str:
    """Where to make the temp directory: /dev/shm when it is a roomy tmpfs (creating a
    database there takes ~20 ms, against 20-250 ms on ext4, where creating the hundreds of files
    of a database is slow), else TMPDIR, else /tmp. A candidate must be a plain short path
    (pg_ctl hands ``-o`` to a shell; a socket path is limited to ~100 bytes) that the
    server user can reach through every parent directory and that we can write."""
    def usable(base: str) -> bool:
        if not re.fullmatch(r"[\w./-]+", base) or len(base) + 35 > _SOCKET_PATH_MAX:
            return False
        if not (os.path.isdir(base) and os.access(base, os.W_OK | os.X_OK)):
            return False
        if user is not None:
            for parent in [Path(base), *Path(base).parents]:
                st = parent.stat()
                if st.st_uid == user.pw_uid:
                    continue
                bit = 0o010 if st.st_gid in os.getgrouplist(user.pw_name, user.pw_gid) else 0o001
                if not st.st_mode & bit:
                    return False
        return True

    candidates = [tempfile.gettempdir(), "/tmp"]
    if os.path.isdir("/dev/shm"):
        fs = os.statvfs("/dev/shm")
        if fs.f_bavail * fs.f_frsize >= _SHM_MIN_FREE:  # Docker's default 64 MiB would fill up
            candidates.insert(0, "/dev/shm")
    for base in candidates:
        if usable(base):
            return base
    raise PostgresUnavailable(f"no usable temp directory for the server among {candidates}")


def _clean_env(user: pwd.struct_passwd | None) -> dict[str, str]:
    """Our environment without PG* variables (PGDATA, PGPORT, ... would steer the tools)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(LC_ALL="C", LANG="C")
    if user is not None:
        env.update(HOME=user.pw_dir, USER=user.pw_name, LOGNAME=user.pw_name)
    return env


def sqlalchemy_url(database: str, socket_dir: str | Path) -> str:
    """``postgresql+psycopg://postgres@/<database>?host=<socket_dir>&port=5432``."""
    return f"postgresql+psycopg://{SUPERUSER}@/{database}?host={socket_dir}&port={PORT}"


class PostgresServer:
    """A running throwaway cluster; use :meth:`start` (a context manager) to get one."""

    def __init__(self, root: Path, bindir: Path, user: pwd.struct_passwd | None):
        self.root = root
        self.bindir = bindir
        self.user = user
        self.data_dir = root / "data"
        self.log_file = root / "server.log"
        self.socket_dir = root
        self.url = sqlalchemy_url(DEFAULT_DATABASE, root)

    # -- life cycle --------------------------------------------------------------------

    @classmethod
    def start(cls) -> PostgresServer:
        """initdb, start the server, create the database ``hazard_rules_test``.

        On any failure everything made so far is stopped and removed, and the error says
        why (with the tail of the server log)."""
        bindir = find_bindir()
        user = _server_user()
        root = Path(tempfile.mkdtemp(prefix="hazard-pg-", dir=_base_dir(user)))
        server = cls(root, bindir, user)
        try:
            if user is not None:
                os.chown(root, user.pw_uid, user.pw_gid)  # mkdtemp made it 0700, root's
            server._run("initdb", "--pgdata", str(server.data_dir), "--auth=trust", f"--username={SUPERUSER}",
                        "--encoding=UTF8", "--locale=C", "--no-sync")
            options = (f"-k {root} -c listen_addresses='' -c port={PORT} -c fsync=off "
                       "-c synchronous_commit=off -c full_page_writes=off")
            server._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(server.data_dir),
                        "-l", str(server.log_file), "-o", options)
            server._admin(f'CREATE DATABASE "{DEFAULT_DATABASE}" TEMPLATE template0')
        except BaseException:
            server.stop()
            raise
        return server

    def stop(self) -> None:
        """Stop the server (fast shutdown: ends open sessions) and remove its directory.
        Safe to call twice, or on a server that never started."""
        try:
            if (self.data_dir / "postmaster.pid").exists():
                self._run("pg_ctl", "stop", "-m", "fast", "-w", "-t", "60", "-D", str(self.data_dir), check=False)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- databases ---------------------------------------------------------------------

    def create_database(self) -> str:
        """A new, empty database (copied from template0); returns its SQLAlchemy URL."""
        name = f"hazard_rules_t{os.getpid()}_{next(_names)}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE template0')
        return sqlalchemy_url(name, self.socket_dir)

    def drop_database(self, url_or_name: str) -> None:
        """Drop a database made by :meth:`create_database`, ending any connection still open."""
        name = url_or_name.split("?")[0].rsplit("/", 1)[-1]
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def databases(self) -> set[str]:
        """Names of the databases in the cluster (templates left out)."""
        with self.connect() as conn:
            return {row[0] for row in conn.execute("SELECT datname FROM pg_database WHERE NOT datistemplate")}

    def connect(self, dbname: str = "postgres"):
        """A plain psycopg connection (autocommit) to ``dbname``, as the superuser."""
        import psycopg

        return psycopg.connect(host=str(self.socket_dir), port=PORT, user=SUPERUSER, dbname=dbname,
                               autocommit=True, connect_timeout=10)

    # -- internals ---------------------------------------------------------------------

    def _admin(self, sql: str) -> None:
        with self.connect() as conn:
            conn.execute(sql)

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a server tool, as the ``postgres`` user when we are root. pg_ctl start gets
        ``-l`` so the server it leaves behind does not hold our output pipes open."""
        as_user = {}
        if self.user is not None:
            as_user = dict(user=self.user.pw_uid, group=self.user.pw_gid,
                           extra_groups=os.getgrouplist(self.user.pw_name, self.user.pw_gid))
        done = subprocess.run([str(self.bindir / tool), *args], cwd=self.root, env=_clean_env(self.user),
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120, **as_user)
        if check and done.returncode != 0:
            log = self.log_file.read_text(errors="replace")[-3000:] if self.log_file.exists() else ""
            raise PostgresUnavailable(
                f"{tool} {' '.join(args)} failed with exit code {done.returncode}:\n"
                f"{done.stdout}{done.stderr}" + (f"\n--- server log ({self.log_file}) ---\n{log}" if log else ""))
        return done
