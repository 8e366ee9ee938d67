from .models import ErasureRequest


def open_erasure_request_for(*, person):
    return ErasureRequest.objects.filter(person=person, completed_at__isnull=True).first()
