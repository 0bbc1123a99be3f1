"""Loaded by every Python process of the test suite (tests/offline is put first on PYTHONPATH by conftest.py).

Connections to other machines are refused and written to the file named by LDAE_NETWORK_LOG: the suite proves
that nothing downloads at run time (weights, templates, datasets). This machine (127.*, ::1, localhost, Unix
sockets) stays reachable: the docs test talks to its own web server and to chromedriver.
"""

import os
import socket
import traceback

_LOCAL = ('127.', '::1', 'localhost', '0.0.0.0')


class NetworkBlocked(OSError):
    "A connection to another machine during the tests."


def _local(host) -> bool:
    return host is None or str(host).startswith(_LOCAL)


def _refuse(what):
    log = os.environ.get('LDAE_NETWORK_LOG')
    if log:
        with open(log, 'a') as f:
            f.write(f'{os.getpid()} {what}\n{"".join(traceback.format_stack(limit=8))}\n')
    raise NetworkBlocked(f'the tests run offline: {what} was attempted')


_connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo


def _connect_guard(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _local(address[0]):
        _refuse(f'a connection to {address}')
    return _connect(self, address)


def _connect_ex_guard(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _local(address[0]):
        _refuse(f'a connection to {address}')
    return _connect_ex(self, address)


def _getaddrinfo_guard(host, *args, **kwargs):
    if not _local(host if not isinstance(host, bytes) else host.decode()):
        _refuse(f'a name lookup of {host!r}')
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _connect_guard
socket.socket.connect_ex = _connect_ex_guard
socket.getaddrinfo = _getaddrinfo_guard
