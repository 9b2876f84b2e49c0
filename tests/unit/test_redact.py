"""The redaction layer: URL credentials, token-like parameters and configured secrets."""

from __future__ import annotations

from listener.config.loader import parse_config
from listener.redact import redact, secrets_of
from listener.stores.base import StoreError


def test_credentials_in_urls_and_token_parameters_are_masked() -> None:
    assert redact("at http://elastic:pw@es:9200/x") == "at http://***@es:9200/x"
    assert redact("GET https://rsshub.app/f?key=abc&limit=5") == (
        "GET https://rsshub.app/f?key=***&limit=5"
    )
    assert redact("https://x.cn/a?access_token=t1&sign=s2&page=2") == (
        "https://x.cn/a?access_token=***&sign=***&page=2"
    )
    plain = "https://m.weibo.cn/status/1?luicode=10000011 小米"
    assert redact(plain) == plain and redact(redact(plain)) == plain


def test_configured_secrets_are_masked_wherever_they_appear() -> None:
    config = parse_config(
        "brands: [{name: 小米}]\n"
        "storage: {type: elasticsearch, url: 'http://elastic:Pw-from-url-1@es:9200',"
        " password: Pw-field-22}\n"
        "notifiers: [{type: webhook, name: h, url: 'http://h/x', secret: Sign-secret-3}]\n",
        "c.yml",
        {},
    )
    assert {"Pw-from-url-1", "Pw-field-22", "Sign-secret-3"} <= secrets_of(config)
    assert redact("refused with Pw-field-22 and Sign-secret-3") == "refused with *** and ***"
    assert str(StoreError("Elasticsearch at http://elastic:Pw-from-url-1@es:9200 down")) == (
        "Elasticsearch at http://***@es:9200 down"
    )
