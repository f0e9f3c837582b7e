from xiezuo.core.scope import Scope


def test_scope_covers_by_containment():
    scope = Scope(region_codes=frozenset({"130700", "130826100"}), authenticated=True)
    assert scope.covers("130723100201")
    assert scope.covers("130826100201")
    assert not scope.covers("130826")
    assert not scope.covers("130824")


def test_personal_data_only_inside_personal_regions():
    scope = Scope(
        region_codes=frozenset({"130000"}),
        personal_regions=frozenset({"130723"}),
        authenticated=True,
    )
    assert scope.shows_personal_data("130723100201")
    assert not scope.shows_personal_data("130728100201")


def test_public_scope_reads_nothing_personal():
    scope = Scope.public()
    assert not scope.may_read_households
    assert not scope.covers("130723")
