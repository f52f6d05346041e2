import sys

from forecourt_core import errors


def test_a_domain_error_carries_code_message_status_and_fields():
    error = errors.Conflict("The car was sold.", code="car_sold", fields={"car": ["Sold."]})
    assert (error.code, error.message, error.status, str(error)) == ("car_sold", "The car was sold.", 409,
                                                                      "The car was sold.")
    assert error.as_dict() == {"code": "car_sold", "message": "The car was sold.", "fields": {"car": ["Sold."]}}
    assert errors.InsufficientFunds().as_dict() == {"code": "insufficient_funds",
                                                    "message": "The account's available balance is too low."}


def test_subclasses_declare_their_code_once():
    class CarNotFound(errors.NotFound):
        code = "car_not_found"
        message = "No such car."

    assert (CarNotFound().status, CarNotFound().code, CarNotFound("Gone.").message) == (404, "car_not_found", "Gone.")
    assert type(errors.DomainError.for_code("car_not_found", "x")) is CarNotFound
    assert type(errors.DomainError.for_code("insufficient_funds", "x")) is errors.InsufficientFunds
    unknown = errors.DomainError.for_code("never_declared", "Recorded.")
    assert (type(unknown), unknown.code, unknown.message) == (errors.DomainError, "never_declared", "Recorded.")


def test_the_domain_side_imports_no_drf():
    import subprocess

    code = ("import sys, forecourt_core.errors, forecourt_core.amounts, forecourt_core.idempotency; "
            "print(any(m == 'rest_framework' or m.startswith('rest_framework.') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"DJANGO_SETTINGS_MODULE": "tests.settings", "PATH": ""})
    assert out.stdout.strip() == "False"
