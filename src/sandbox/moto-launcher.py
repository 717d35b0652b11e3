# Runs `python3 -m moto.server <args>` with five additions the sandbox needs. moto-server.ts passes
# this file's text as `python3 -c <text> -H <host> -p <port>`, so a wrapper that patches moto first
# (src/sandbox/trading/atomic-moto.py) can exec it unchanged and the pid we record is moto's own.
#
# 1. A parent-death watchdog: when the Node parent dies without running any hook (SIGKILL, an
#    unhandled signal), moto notices its parent pid changed and exits.
# 2. TCP_NODELAY on accepted connections: werkzeug writes a response in several small sends; with
#    Nagle on, each waits for the client's delayed ACK (~40 ms per request).
# 3. The sandbox's virtual clock. moto has no time control of its own: it stamps CreationDate,
#    LastModificationDate, ECS task times, SNS/SQS timestamps and DynamoDB stream records with
#    datetime.now()/utcnow(). When OPS_SANDBOX_CLOCK_FILE names a file, every such call reads the
#    instant the sandbox last wrote there instead, so everything moto stamps agrees with the firer,
#    the checks and the run ledger on any calendar day. No file (or no variable): the wall clock.
#
# The clock file is JSON: {"timeline": str, "epochMs": number, "holdMs": number}. Time stands at
# epochMs for holdMs after moto first sees it, then runs at real speed from there, so a replay that
# moves the clock step by step sees exactly the instants it set, while a long poll or a time-based ECS
# transition still ends when nobody moves the clock. Within one timeline the clock never goes back
# (a step that took longer than holdMs may have run past the next instant set); a new timeline (a new
# replay after a reset) may start anywhere.
#
# 4. ECS tasks with createdAt/startedAt. moto 5.2.1 returns neither, so the check's ECS evidence path
#    (ListTasks + DescribeTasks, the fallback without a run ledger) could never see a run; real ECS
#    stamps both when RunTask accepts a task, on moto's (virtual) clock here.
#
# 5. STS AssumeRole refuses a role that does not exist. moto 5.2.1 hands out credentials for any role
#    ARN ("the role does not need to exist"), so an org-wide run could never meet the account whose
#    access role was never deployed. Here, as in AWS, it answers HTTP 403 `AccessDenied`, "User:
#    <caller arn> is not authorized to perform: sts:AssumeRole on resource: <role arn>", through moto's
#    own error serialiser (the SDK sees `name === 'AccessDenied'`). The role is looked up by name in the
#    ARN's account; trust policies are still not evaluated (moto enforces no IAM). Nothing to patch for
#    the other half of an Organization: moto's CreateAccount already creates
#    `OrganizationAccountAccessRole` (trusting the management account) in the new account, as AWS does.
#
# Only datetime is patched, not time.time(): werkzeug's Date header and request log stay on the wall
# clock, so the SDK never sees a skewed server clock and corrects its own.
import datetime as _datetime
import json
import os
import re
import runpy
import socketserver
import sys
import threading
import time
import warnings

_RealDatetime = _datetime.datetime


class _SandboxClock:
    def __init__(self, path):
        self._path = path
        self._lock = threading.Lock()
        self._key = None
        self._timeline = None
        self._anchor = None
        self._anchored_at = 0.0
        self._hold = 0.0

    def _current(self):
        elapsed = time.monotonic() - self._anchored_at
        return self._anchor + max(0.0, elapsed - self._hold)

    def _refresh(self):
        try:
            st = os.stat(self._path)
        except FileNotFoundError:
            self._key = None
            self._anchor = None
            return
        key = (st.st_ino, st.st_mtime_ns, st.st_size)
        if key == self._key:
            return
        try:
            with open(self._path, encoding="utf-8") as handle:
                doc = json.load(handle)
            instant = float(doc["epochMs"]) / 1000.0
            hold = max(0.0, float(doc.get("holdMs", 0))) / 1000.0
            timeline = str(doc.get("timeline", ""))
        except (OSError, ValueError, KeyError, TypeError):
            # A half-written file cannot happen (the writer renames into place); anything else
            # unreadable keeps the last good instant and is read again on the next call.
            return
        self._key = key
        if self._anchor is not None and timeline == self._timeline:
            instant = max(instant, self._current())
        self._timeline = timeline
        self._anchor = instant
        self._anchored_at = time.monotonic()
        self._hold = hold

    def epoch_seconds(self):
        with self._lock:
            self._refresh()
            return time.time() if self._anchor is None else self._current()


_clock = _SandboxClock(os.environ["OPS_SANDBOX_CLOCK_FILE"]) if os.environ.get("OPS_SANDBOX_CLOCK_FILE") else None

if _clock is not None:

    class _DatetimeType(type):
        # Real datetimes (from arithmetic, fromtimestamp, C code) must still pass isinstance checks
        # against the patched class, or moto's and werkzeug's serialisers would stop recognising them.
        def __instancecheck__(cls, obj):
            return isinstance(obj, _RealDatetime)

        def __subclasscheck__(cls, sub):
            return issubclass(sub, _RealDatetime)

    # now() returns instances of this class, not of the real one: native code (cryptography's Rust,
    # which SNS uses to sign messages) type-checks against datetime.datetime without the metaclass.
    class _VirtualDatetime(_RealDatetime, metaclass=_DatetimeType):
        @classmethod
        def now(cls, tz=None):
            return cls.fromtimestamp(_clock.epoch_seconds(), tz)

        @classmethod
        def utcnow(cls):
            return cls.fromtimestamp(_clock.epoch_seconds(), _datetime.timezone.utc).replace(tzinfo=None)

        @classmethod
        def today(cls):
            return cls.now()

    # Before moto is imported, so `from datetime import datetime` in its modules binds this class.
    _datetime.datetime = _VirtualDatetime

socketserver.StreamRequestHandler.disable_nagle_algorithm = True

# ManagedState is light to import and every ECS task is one; moto.ecs itself costs half a second.
from moto.moto_api._internal.managed_state_model import ManagedState as _ManagedState  # noqa: E402

_managed_init = _ManagedState.__init__


def _stamped_init(self, model_name, transitions):
    _managed_init(self, model_name, transitions)
    if model_name == "ecs::task":
        stamp = _datetime.datetime.now(_datetime.timezone.utc)
        for attribute in ("created_at", "started_at"):
            if getattr(self, attribute, None) is None:
                setattr(self, attribute, stamp)


_ManagedState.__init__ = _stamped_init

# moto.sts pulls in moto.iam, which moto.server's own imports mostly load anyway (~40 ms more).
from moto.core.exceptions import ServiceException as _ServiceException  # noqa: E402
from moto.core.responses import ActionResult as _ActionResult  # noqa: E402
from moto.iam.models import iam_backends as _iam_backends  # noqa: E402
from moto.sts.models import sts_backends as _sts_backends  # noqa: E402
from moto.sts.responses import TokenResponse as _TokenResponse  # noqa: E402

_ROLE_ARN = re.compile(r"^arn:(aws[a-z-]*):iam::(\d{12}):role/(?:[^/]+/)*([^/]+)$")


class _AssumeRoleDenied(_ServiceException):
    code = "AccessDenied"


def _role_exists(role_arn):
    match = _ROLE_ARN.match(role_arn or "")
    if match is None:
        return True  # not a role ARN: moto's own validation answers
    partition, account, name = match.groups()
    try:
        backend = _iam_backends[account][partition]
    except KeyError:
        return False
    return any(role.name == name for role in list(backend.get_roles()))


_assume_role = _TokenResponse.assume_role


def _assume_existing_role(self):
    role_arn = self._get_param("RoleArn")
    if _role_exists(role_arn):
        return _assume_role(self)
    _, caller, _ = _sts_backends[self.current_account][self.partition].get_caller_identity(self.get_access_key(), self.region)
    error = _AssumeRoleDenied(f"User: {caller} is not authorized to perform: sts:AssumeRole on resource: {role_arn}")
    # moto's query serialiser writes the ErrorResponse the SDK parses; AWS answers this one with 403.
    _status, headers, body = self.serialized(_ActionResult(error))
    headers["status"] = 403
    return body, headers


_TokenResponse.assume_role = _assume_existing_role
# STS's service model has no AccessDenied shape; moto would warn once per process that it does not.
warnings.filterwarnings("ignore", message=r"Exception\(_AssumeRoleDenied\)")

_parent = os.getppid()


def _watch_parent():
    while True:
        time.sleep(0.5)
        if os.getppid() != _parent:
            os._exit(0)


threading.Thread(target=_watch_parent, daemon=True).start()
sys.argv = ["moto.server"] + sys.argv[1:]
runpy.run_module("moto.server", run_name="__main__", alter_sys=True)
