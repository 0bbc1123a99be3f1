"The test suite runs offline: connections to other machines are refused, in this process and in the ones it starts."

import os
import socket
import subprocess
import sys

import pytest
import sitecustomize


def test_connections_elsewhere_are_refused_here(tmp_path, monkeypatch):
    monkeypatch.setenv('LDAE_NETWORK_LOG', str(tmp_path / 'net.log'))  # this test's own attempts, not the suite's
    with pytest.raises(sitecustomize.NetworkBlocked, match='name lookup'):
        socket.create_connection(('example.org', 80), timeout=1)
    with pytest.raises(sitecustomize.NetworkBlocked, match='connection to'):
        socket.socket().connect(('93.184.215.14', 80))
    assert 'example.org' in (tmp_path / 'net.log').read_text()


def test_this_machine_stays_reachable():
    srv = socket.socket()
    srv.bind(('127.0.0.1', 0))
    srv.listen(1)
    c = socket.create_connection(srv.getsockname(), timeout=5)
    c.close()
    srv.close()


def test_child_processes_are_offline_too(tmp_path):
    code = "import socket; socket.create_connection(('pypi.org', 443), timeout=1)"
    env = {**os.environ, 'LDAE_NETWORK_LOG': str(tmp_path / 'net.log')}
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, env=env)
    assert r.returncode != 0 and 'NetworkBlocked' in r.stderr and 'the tests run offline' in r.stderr
    assert 'pypi.org' in (tmp_path / 'net.log').read_text()
