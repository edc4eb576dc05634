from fengqiao.core.codes import ALPHABET, normalise, tracking_code


def test_tracking_codes_are_readable_and_distinct():
    codes = {tracking_code("E") for _ in range(2000)}
    assert len(codes) == 2000
    code = codes.pop()
    assert code.startswith("E") and len(code) == 14
    assert set(code[8:]) <= set(ALPHABET)
    assert "I" not in ALPHABET and "O" not in ALPHABET


def test_codes_are_normalised_from_what_people_type():
    assert normalise(" e261124-7kq2xo ") == "E261124-7KQ2X0"
