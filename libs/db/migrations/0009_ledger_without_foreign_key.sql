ALTER TABLE "operation_devices" DROP CONSTRAINT "operation_devices_operation_id_operations_id_fk";
