import pytest
from catalog_helpers import repo_with_items


@pytest.fixture
def repo(repo_url):
    return repo_with_items(repo_url)
