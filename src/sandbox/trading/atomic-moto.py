#!/usr/bin/env python3
# A moto server whose DynamoDB writes are atomic, as DynamoDB's are per item.
#
# moto's server handles requests on threads, and its DynamoDB backend reads an item, evaluates the
# ConditionExpression and writes without a lock, so two concurrent conditional writes can both pass
# their condition. Real DynamoDB serialises writes to an item, which is exactly what the workflow
# store's "exactly one terminal transition wins" relies on. This wrapper serialises every DynamoDB
# write and then runs the sandbox's launcher unchanged: it is used as `python` by startMotoServer (src/sandbox/trading/atomic-moto.ts),
# which invokes it as `<this> -c <launcher code> -H <host> -p <port>`.
import sys
import threading

from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.responses import DynamoHandler

_write_lock = threading.RLock()


def _serialised(method):
    def locked(self, *args, **kwargs):
        with _write_lock:
            return method(self, *args, **kwargs)

    return locked


for _name in ("put_item", "update_item", "delete_item", "transact_write_items"):
    setattr(DynamoDBBackend, _name, _serialised(getattr(DynamoDBBackend, _name)))

# A whole DynamoDB request, response included, under the same lock: moto serialises a returned item
# (ReturnValues, GetItem) after the backend call, and a write on another thread changing that item's
# nested maps meanwhile made moto answer 500 ("dictionary changed size during iteration").
DynamoHandler.call_action = _serialised(DynamoHandler.call_action)

if len(sys.argv) < 3 or sys.argv[1] != "-c":
    sys.exit("usage: workflow-atomic-moto.py -c <code> [args...]")
_code = sys.argv[2]
sys.argv = ["-c"] + sys.argv[3:]
exec(compile(_code, "<moto-launcher>", "exec"), {"__name__": "__main__"})
